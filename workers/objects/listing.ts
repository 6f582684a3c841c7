/**
 * Listings in the object layer: pages of a bucket's current objects
 * (ListObjects, ListObjectsV2) and of its versions (ListObjectVersions), in
 * key order as the coordinator keeps them, NoSuchBucket when there is none.
 */
import type {
  ListPage,
  ListRequest,
  VersionListPage,
  VersionListRequest,
} from "../../shared/types/bucket-rpc.ts";
import { noSuchBucket, ok, type ObjectResult } from "./result.ts";
import { bucketStub } from "./stubs.ts";

export type { ListPage, ListRequest, VersionListPage, VersionListRequest };

/** One page of the bucket's current objects. */
export async function listObjectsPage(
  env: Env,
  bucket: string,
  request: ListRequest,
): Promise<ObjectResult<ListPage>> {
  const page = await bucketStub(env, bucket).listObjects(request);
  return page ? ok(page) : noSuchBucket(bucket);
}

/** One page of the bucket's versions and delete markers. */
export async function listObjectVersionsPage(
  env: Env,
  bucket: string,
  request: VersionListRequest,
): Promise<ObjectResult<VersionListPage>> {
  const page = await bucketStub(env, bucket).listObjectVersions(request);
  return page ? ok(page) : noSuchBucket(bucket);
}
