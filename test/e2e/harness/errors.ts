/** The S3 error a call fails with (fails the test when it succeeds or fails otherwise). */
import { S3ServiceException } from "@aws-sdk/client-s3";

export async function s3Error(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return error;
    throw error;
  }
  throw new Error("expected an S3 error");
}
