/**
 * `npm run bench:continue`: what `Expect: 100-continue` costs uploads to a
 * local site started as `npm start` starts one (through the runner's HTTP
 * front, which answers it). In one run:
 * - the JS SDK (@aws-sdk/client-s3 + @aws-sdk/lib-storage, default settings:
 *   5 MiB parts, 4 at a time) uploads 100 MiB with its default
 *   `Expect: 100-continue` and with `expectContinueHeader: false`;
 * - the aws CLI (`/usr/bin/aws s3 cp`, which always sends the header and has
 *   no switch to stop it) uploads the same file, against the SDK without the
 *   header and a single curl PUT without it (`-H 'Expect:'`) as baselines;
 * - boto3 (`/usr/bin/python3`) makes 100 sequential 3-byte PutObject calls,
 *   each with `Expect: 100-continue` (botocore waits up to 1 s for the
 *   answer): p50 and p90.
 * Each upload is timed FLOE_BENCH_ROUNDS times (default 3), the median kept.
 * Prints figures and ratios; never fails on time (the target is a ratio
 * within 1.5).
 */
import { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { execFile } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { patternBytes } from "../test/e2e/harness/data.ts";
import { REGION, ROOT_PASSWORD, ROOT_USER, startSite } from "../test/e2e/harness/site.ts";
import { signedCall } from "./lib/signed-call.ts";

const run = promisify(execFile);
const SIZE = 100 * 1024 * 1024;
const ROUNDS = Number(process.env.FLOE_BENCH_ROUNDS ?? 3);
const AWS = "/usr/bin/aws";
const PYTHON = "/usr/bin/python3";
const BUCKET = "continue-bench";

const BOTO3_PUTS = `
import boto3, statistics, sys, time
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="${REGION}",
                  aws_access_key_id="${ROOT_USER}", aws_secret_access_key="${ROOT_PASSWORD}")
times = []
for i in range(100):
    start = time.perf_counter()
    s3.put_object(Bucket="${BUCKET}", Key=f"boto3/{i}", Body=b"abc")
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(f"{statistics.median(times):.1f} {times[89]:.1f}")
`;

function sdk(url: string, expectContinue: boolean): S3Client {
  return new S3Client({
    endpoint: url,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ROOT_USER, secretAccessKey: ROOT_PASSWORD },
    ...(expectContinue ? {} : { expectContinueHeader: false }),
  });
}

async function seconds(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return (performance.now() - started) / 1000;
}

async function median(action: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) times.push(await seconds(action));
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

const site = await startSite();
const dir = mkdtempSync(join(tmpdir(), "floe-continue-bench-"));
const awsConfig = join(dir, "aws-config");
const env: NodeJS.ProcessEnv = {
  ...process.env,
  AWS_ACCESS_KEY_ID: ROOT_USER,
  AWS_SECRET_ACCESS_KEY: ROOT_PASSWORD,
  AWS_DEFAULT_REGION: REGION,
  AWS_CONFIG_FILE: awsConfig,
  AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
};
delete env.AWS_CA_BUNDLE;
try {
  await signedCall("PUT", `${site.url}/${BUCKET}`);
  const file = join(dir, "100MiB.bin");
  writeFileSync(file, await patternBytes(SIZE, 9));
  writeFileSync(awsConfig, "[default]\n");

  const upload = (client: S3Client, key: string) => () =>
    new Upload({
      client,
      params: { Bucket: BUCKET, Key: key, Body: createReadStream(file) },
    }).done();
  const sdkWith = await median(upload(sdk(site.url, true), "sdk-with"));
  const sdkWithout = await median(upload(sdk(site.url, false), "sdk-without"));

  const { stdout: awsVersion } = await run(AWS, ["--version"], { env });
  const awsCli = await median(() =>
    run(
      AWS,
      [
        "--endpoint-url",
        site.url,
        "s3",
        "cp",
        "--only-show-errors",
        file,
        `s3://${BUCKET}/aws-cli`,
      ],
      {
        env,
      },
    ),
  );
  const curl = await median(() =>
    run(
      "curl",
      [
        "-sS",
        "--fail",
        "-o",
        "/dev/null",
        "-H",
        "Expect:",
        "-H",
        "x-amz-content-sha256: UNSIGNED-PAYLOAD",
        "--aws-sigv4",
        `aws:amz:${REGION}:s3`,
        "--user",
        `${ROOT_USER}:${ROOT_PASSWORD}`,
        "-T",
        file,
        `${site.url}/${BUCKET}/curl`,
      ],
      { env },
    ),
  );
  const { stdout: boto3 } = await run(PYTHON, ["-c", BOTO3_PUTS, site.url], { env });
  const [p50, p90] = boto3.trim().split(" ").map(Number);

  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log(
    `Expect: 100-continue through the local runner (${site.url}), 100 MiB, median of ${ROUNDS}`,
  );
  console.log(`JS SDK lib-storage, Expect on (default): ${sdkWith.toFixed(2)} s`);
  console.log(`JS SDK lib-storage, expectContinueHeader false: ${sdkWithout.toFixed(2)} s`);
  console.log(`  ratio with/without: ${ratio(sdkWith, sdkWithout)} (target <= 1.5)`);
  console.log(`aws CLI (${AWS}, ${awsVersion.trim().split(" ")[0]}) s3 cp: ${awsCli.toFixed(2)} s`);
  console.log(`curl single PUT, no Expect: ${curl.toFixed(2)} s`);
  console.log(`  ratio aws CLI / SDK without: ${ratio(awsCli, sdkWithout)} (target <= 1.5)`);
  console.log(`  ratio aws CLI / curl: ${ratio(awsCli, curl)}`);
  console.log(`boto3 100 sequential 3-byte PutObject: p50 ${p50} ms, p90 ${p90} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await site.remove();
}
