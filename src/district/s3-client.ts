import { S3Client } from '@aws-sdk/client-s3';
import type { DistrictSettings } from './district-settings.ts';

/**
 * The S3 client for the district bucket. Ceph RGW refuses the SDK's default `aws-chunked` bodies with
 * trailing checksums, so checksums are sent only where an operation needs one (we send Content-MD5).
 */
export function createS3Client(settings: Pick<DistrictSettings, 's3'>): S3Client {
  // The SDK warns on every Node 20 start that later releases need Node 22; the pinned release
  // supports Node 20, and the warning would only confuse the station's operators.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new S3Client({
    endpoint: settings.s3.endpoint,
    region: settings.s3.region,
    forcePathStyle: settings.s3.forcePathStyle,
    credentials: { accessKeyId: settings.s3.accessKeyId, secretAccessKey: settings.s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A station may be offline for days: fail fast and let the outbox back off, not the SDK.
    maxAttempts: 2,
    // A store that stops answering mid-part must fail the part, not hang the sync.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  });
  // Over plain http the SDK signs each body's SHA-256, and the gateway hashes it again to check: a
  // second full hash of every byte on each side. A body we send with Content-MD5 is already checked
  // by the store, and every upload is read back and its SHA-256 compared before it counts, so such a
  // body goes unsigned (the headers stay signed).
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { ContentMD5?: string };
      const request = args.request as { headers?: Record<string, string> };
      if (input.ContentMD5 && request.headers) {
        request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      }
      return next(args);
    },
    { step: 'build', name: 'unsignedBodyWithContentMd5' },
  );
  return client;
}
