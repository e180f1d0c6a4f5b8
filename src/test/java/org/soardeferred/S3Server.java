package org.soardeferred;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3 API server in-process for the S3 target's tests: S3Proxy on 127.0.0.1 with its filesystem backend (a
 * folder of the test), AWS signature v2/v4 authentication, and a plain AWS SDK client to inspect what it holds.
 */
final class S3Server implements AutoCloseable {

    static final String ACCESS_KEY = "soar-test-access";
    static final String SECRET_KEY = "soar-test-secret-Key9";

    private final Path folder;
    private final S3Proxy proxy;
    private final BlobStoreContext blobs;
    private final S3Client client;
    /** While true, every AbortMultipartUpload fails (S3Proxy answers 503), as a busy or failing S3 would. */
    private final java.util.concurrent.atomic.AtomicBoolean failAborts = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger abortsRefused = new java.util.concurrent.atomic.AtomicInteger();

    private S3Server(Path folder, int port) throws Exception {
        this.folder = folder;
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", folder.toString());
        blobs = ContextBuilder.newBuilder("filesystem").credentials(ACCESS_KEY, SECRET_KEY).overrides(p)
                .build(BlobStoreContext.class);
        // S3Proxy aborts an upload of its filesystem backend by removing the upload's stub blob (named by the upload id)
        org.jclouds.blobstore.BlobStore store = new org.jclouds.blobstore.util.ForwardingBlobStore(blobs.getBlobStore()) {
            @Override
            public void removeBlob(String container, String name) {
                if (failAborts.get() && delegate().listMultipartUploads(container).stream().anyMatch(u -> u.id().equals(name))) {
                    abortsRefused.incrementAndGet();
                    throw new org.jclouds.http.HttpResponseException("simulated failure of AbortMultipartUpload", null,
                            org.jclouds.http.HttpResponse.builder().statusCode(503).message("Slow Down").build());
                }
                super.removeBlob(container, name);
            }
        };
        proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        org.awaitility.Awaitility.await().until(() -> "STARTED".equals(proxy.getState()));
        // as the application does with S3-compatible stores: checksums only where S3 requires them
        client = S3Client.builder().endpointOverride(URI.create(endpoint())).forcePathStyle(true).region(Region.US_EAST_1)
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /** Starts S3Proxy on a free port over the folder (objects of an earlier server on the same folder stay). */
    static S3Server start(Path folder) {
        return start(folder, 0);
    }

    static S3Server start(Path folder, int port) {
        try {
            java.nio.file.Files.createDirectories(folder);
            return new S3Server(folder, port);
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not start", e);
        }
    }

    /** Every abort of a multipart upload fails from now on (true), or works again (false). */
    S3Server failAborts(boolean on) {
        failAborts.set(on);
        return this;
    }

    /** How many aborts failed on purpose so far. */
    int abortsRefused() {
        return abortsRefused.get();
    }

    String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    int port() {
        return proxy.getPort();
    }

    Path folder() {
        return folder;
    }

    S3Client client() {
        return client;
    }

    S3Server bucket(String name) {
        client.createBucket(b -> b.bucket(name));
        return this;
    }

    /** The settings that point the service at this server. */
    Map<String, String> settings(String target) {
        return Map.of("soar.target", target, "soar.s3.endpoint", endpoint(),
                "soar.s3.access-key", ACCESS_KEY, "soar.s3.secret-key", SECRET_KEY);
    }

    /** The keys of the objects in the bucket (the folder entries the filesystem backend lists are left out). */
    List<String> keys(String bucket) {
        return client.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(S3Object::key)
                .filter(k -> !k.endsWith("/")).toList();
    }

    List<MultipartUpload> uploads(String bucket) {
        return client.listMultipartUploads(b -> b.bucket(bucket)).uploads();
    }

    Map<String, String> metadata(String bucket, String key) {
        return client.headObject(b -> b.bucket(bucket).key(key)).metadata();
    }

    String text(String bucket, String key) {
        return client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
    }

    /** The sha256 of an object, read as a stream. */
    String sha256(String bucket, String key) {
        try (ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(bucket).key(key))) {
            return org.soardeferred.transfer.Sha256.of(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            client.close();
            blobs.close();
        }
    }
}
