/**
 * Get/Put/DeleteBucketReplication, sent as signed S3 requests built here:
 * the AWS SDK cannot carry MinIO's <DeleteReplication> element, so the XML
 * is written by config.ts and sent by the shared peer client
 * (shared/peer/client.ts) like the admin client's calls (payload SHA-256,
 * the alias's region). S3 error documents become
 * CLI errors with their code (InvalidRequest, MalformedXML, NoSuchBucket,
 * ...).
 */
import { XMLParser } from "fast-xml-parser";
import { PeerClient } from "../../shared/peer/client.ts";
import { sha256Hex } from "../../shared/sigv4/sign.ts";
import type { Alias } from "../core/config.ts";
import { CliError } from "../core/errors.ts";
import { parseReplicationXml, replicationXml, type ReplicationConfig } from "./config.ts";

/** The code S3 answers when a bucket has no replication configuration. */
export const NOT_FOUND_CODE = "ReplicationConfigurationNotFoundError";

/** Replication configuration calls for one alias. */
export class BucketReplication {
  constructor(
    readonly alias: Alias,
    readonly signal?: AbortSignal,
  ) {}

  /** The bucket's configuration, or null when it has none. */
  async get(bucket: string): Promise<ReplicationConfig | null> {
    try {
      return parseReplicationXml(await this.send("GET", bucket));
    } catch (error) {
      if (error instanceof CliError && error.code === NOT_FOUND_CODE) return null;
      throw error;
    }
  }

  /** The bucket's configuration, or a ReplicationConfigurationNotFoundError. */
  async require(bucket: string): Promise<ReplicationConfig> {
    const config = await this.get(bucket);
    if (!config || config.rules.length === 0) {
      throw new CliError(NOT_FOUND_CODE, `${bucket} has no replication configuration.`);
    }
    return config;
  }

  /** Replaces the configuration; with no rules left, deletes it (S3 keeps none empty). */
  async put(bucket: string, config: ReplicationConfig): Promise<void> {
    if (config.rules.length === 0) await this.delete(bucket);
    else await this.send("PUT", bucket, replicationXml(config));
  }

  /** Deletes the configuration. */
  async delete(bucket: string): Promise<void> {
    await this.send("DELETE", bucket);
  }

  private async send(method: string, bucket: string, body?: string): Promise<string> {
    const peer = new PeerClient({ ...this.alias, endpoint: this.alias.url });
    const url = `${this.alias.url}/${encodeURIComponent(bucket)}?replication`;
    const response = await peer.send(method, url, {
      headers: body === undefined ? {} : { "content-type": "application/xml" },
      body: body ?? null,
      payloadHash: await sha256Hex(body ?? ""),
      signal: this.signal,
    });
    const text = await response.text();
    if (!response.ok) throw s3Error(response.status, text);
    return text;
  }
}

function s3Error(status: number, text: string): CliError {
  let code = `HTTP${status}`;
  let message = `The server answered ${status}.`;
  try {
    const parser = new XMLParser({ parseTagValue: false, removeNSPrefix: true });
    const error = (parser.parse(text) as { Error?: { Code?: unknown; Message?: unknown } }).Error;
    if (typeof error?.Code === "string") code = error.Code;
    if (typeof error?.Message === "string" && error.Message !== "") message = error.Message;
  } catch {
    // Not an S3 error document: keep the HTTP status.
  }
  return new CliError(code, message);
}
