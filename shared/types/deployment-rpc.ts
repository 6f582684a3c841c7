/** RPC types of the Deployment Durable Object (the bucket registry). */

/** A bucket in the site's registry. */
export interface BucketEntry {
  name: string;
  createdAt: number;
  owner: string;
}
