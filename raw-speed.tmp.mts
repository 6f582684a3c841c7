import { signRequest } from "./workers/auth/sign.ts";
const port = process.argv[2];
const body = Buffer.alloc(64 * 1024 * 1024, 7);
const mk = await signRequest({ method: "PUT", url: `http://127.0.0.1:${port}/speed`, accessKeyId: "floeadmin", secretKey: "floeadmin-secret", region: "us-east-1" });
await fetch(`http://127.0.0.1:${port}/speed`, { method: "PUT", headers: mk });
const r: number[] = [];
for (let i = 0; i < 5; i++) {
  const url = `http://127.0.0.1:${port}/speed/raw${i}`;
  const headers = await signRequest({ method: "PUT", url, accessKeyId: "floeadmin", secretKey: "floeadmin-secret", region: "us-east-1", headers: { "content-length": String(body.length), connection: "close" } });
  let t = performance.now();
  const res = await fetch(url, { method: "PUT", headers, body });
  r.push(64 / ((performance.now() - t) / 1000));
}
console.log("PUT MB/s", r.map((x) => x.toFixed(0)).join(" "));
