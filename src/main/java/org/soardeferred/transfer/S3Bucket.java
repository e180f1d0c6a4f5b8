package org.soardeferred.transfer;

import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.aws2.s3.AWS2S3Component;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.apache.camel.component.aws2.s3.AWS2S3Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A bucket and prefix of an S3 target, as camel-aws2-s3 reaches it: the client the component builds from its
 * configuration (region, endpoint override, path style, credentials, storage class, server-side encryption; see
 * config.S3Configuration), object keys (final, and staged under {@code prefix/.incoming/}), small objects written by the
 * component's producer, and what an S3 error means for a job ({@link #failure}).
 */
final class S3Bucket {

    private static final Logger LOG = LoggerFactory.getLogger(S3Bucket.class);
    static final String STAGING = ".incoming/";

    private final CamelContext context;
    final String bucket;
    final String prefix;
    /** Sends parts and copies while the download goes on (threads end when idle). */
    final ExecutorService senders = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "s3-part-sender");
        t.setDaemon(true);
        return t;
    });
    private volatile AWS2S3Endpoint endpoint;
    private volatile ProducerTemplate producer;

    S3Bucket(CamelContext context, String target) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/.*)?")
                .matcher(target.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("soar.target '" + target + "' is not s3://BUCKET or s3://BUCKET/PREFIX "
                    + "(bucket names are 3-63 lower-case letters, digits, '.' and '-')");
        }
        this.context = context;
        this.bucket = m.group(1);
        String p = m.group(2) == null ? "" : m.group(2).replaceAll("^/+", "").replaceAll("/+$", "");
        this.prefix = p.isEmpty() ? "" : p + "/";
    }

    String key(String name) {
        return prefix + name;
    }

    String stagingKey(String name) {
        return prefix + STAGING + name;
    }

    String location(String name) {
        return "s3://" + bucket + "/" + key(name);
    }

    /** Whether the bucket answers (HEAD bucket with the service's credentials). */
    Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", toString());
        try {
            s3().headBucket(b -> b.bucket(bucket));
            m.put("up", true);
            m.put("message", "the bucket answers");
        } catch (RuntimeException e) {
            m.put("up", false);
            m.put("message", org.soardeferred.common.Failures.describe(e));
        }
        m.put("freeBytes", null);
        return m;
    }

    boolean head(String key) {
        try {
            s3().headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw failure("looking up " + "s3://" + bucket + "/" + key, e);
        } catch (SdkException e) {
            throw failure("looking up " + "s3://" + bucket + "/" + key, e);
        }
    }

    /** A manifest, in one PUT by camel-aws2-s3's producer. */
    void putManifest(String name, byte[] json) {
        try {
            producer().sendBodyAndHeaders(endpoint(), new ByteArrayInputStream(json), Map.of(AWS2S3Constants.KEY, key(name),
                    AWS2S3Constants.CONTENT_TYPE, "application/json", AWS2S3Constants.CONTENT_LENGTH, (long) json.length));
        } catch (RuntimeException e) {
            throw failure("writing the manifest " + location(name), e);
        }
    }

    /** Sends one part of an upload from memory; returns its ETag. */
    String uploadPart(String key, String uploadId, int number, byte[] bytes, int length) {
        return s3().uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number).contentLength((long) length),
                RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length, "application/octet-stream"))
                .eTag();
    }

    void deleteQuietly(String key) {
        try {
            s3().deleteObject(b -> b.bucket(bucket).key(key));
        } catch (RuntimeException e) {
            LOG.warn("Cannot delete the staged object s3://{}/{}: {}", bucket, key, e.getMessage());
        }
    }

    /**
     * What an S3 error means for the job: a fault that may pass (S3 unreachable, busy, 5xx) is retried like any
     * transfer fault; a missing bucket or refused access fails the job with a reason a person can act on.
     */
    RuntimeException failure(String what, Throwable error) {
        Throwable t = error;
        while (!(t instanceof SdkException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof S3Exception e) {
            int status = e.statusCode();
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            String detail = (code != null ? code : "HTTP " + status) + (e.awsErrorDetails() != null
                    && e.awsErrorDetails().errorMessage() != null ? ": " + e.awsErrorDetails().errorMessage() : "");
            if (status == 429 || status >= 500) {
                return new TransientTransferException("S3 is busy or failing (" + detail + ") while " + what);
            }
            if ("NoSuchBucket".equals(code) || status == 404) {
                return new TransferException("the bucket '" + bucket + "' does not exist (" + detail + ") while " + what
                        + "; create it or fix soar.target");
            }
            if (status == 403 || status == 401) {
                return new TransferException("S3 refused access (" + detail + ") while " + what
                        + "; check the credentials (SOAR_S3_ACCESS_KEY/SOAR_S3_SECRET_KEY or the AWS default chain) and the bucket policy");
            }
            return new TransferException("S3 refused the request (" + detail + ") while " + what);
        }
        if (t instanceof SdkClientException) {
            return new TransientTransferException("cannot reach S3 while " + what + ": " + rootMessage(t)
                    + " (check soar.s3.endpoint and the network)");
        }
        return new TransferException("S3 failed while " + what + ": " + rootMessage(t));
    }

    /** The failure was the service stopping (an interrupt), not S3. */
    static boolean interrupted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof software.amazon.awssdk.core.exception.AbortedException) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        return m.length() > 300 ? m.substring(0, 300) : m;
    }

    S3Client s3() {
        return endpoint().getConfiguration().getAmazonS3Client();
    }

    /**
     * The same S3 client, without making the endpoint (which checks the bucket when it starts, and is made for the
     * context's life): aborting and listing uploads run at start-up too, and must work when the bucket is gone.
     */
    S3Client uploadsClient() {
        AWS2S3Endpoint e = endpoint;
        return e != null ? e.getConfiguration().getAmazonS3Client()
                : context.getComponent("aws2-s3", AWS2S3Component.class).getConfiguration().getAmazonS3Client();
    }

    /** The camel-aws2-s3 endpoint of the bucket, made on first use (so that S3 being down fails a step, not start-up). */
    AWS2S3Endpoint endpoint() {
        AWS2S3Endpoint e = endpoint;
        if (e == null) {
            synchronized (this) {
                if (endpoint == null) {
                    try {
                        // the component checks the bucket when the endpoint starts
                        endpoint = context.getEndpoint("aws2-s3://" + bucket, AWS2S3Endpoint.class);
                    } catch (RuntimeException ex) {
                        throw failure("connecting to the bucket " + bucket, ex);
                    }
                }
                e = endpoint;
            }
        }
        return e;
    }

    private ProducerTemplate producer() {
        if (producer == null) {
            producer = context.createProducerTemplate();
        }
        return producer;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "s3://%s/%s", bucket, prefix);
    }
}
