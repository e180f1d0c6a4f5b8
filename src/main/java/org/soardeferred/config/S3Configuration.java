package org.soardeferred.config;

import java.net.URI;
import java.util.Locale;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.aws2.s3.AWS2S3Component;
import org.apache.camel.component.aws2.s3.AWS2S3Configuration;
import org.soardeferred.transfer.Outboxes;
import org.soardeferred.transfer.S3Target;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The camel-aws2-s3 component the S3 targets write through, configured from soar.s3.* when any target (the service's,
 * an allowed one, a mirror's) is on S3: region, endpoint override with path-style access unless told otherwise,
 * static credentials or the AWS default chain, storage class, server-side encryption.
 */
public class S3Configuration implements CamelConfiguration {

    @PropertyInject(value = "soar.s3.region", defaultValue = "us-east-1")
    String region;
    @PropertyInject(value = "soar.s3.endpoint", defaultValue = "")
    String endpoint;
    @PropertyInject(value = "soar.s3.path-style", defaultValue = "")
    String pathStyle;
    @PropertyInject(value = "soar.s3.access-key", defaultValue = "")
    String accessKey;
    @PropertyInject(value = "soar.s3.secret-key", defaultValue = "")
    String secretKey;
    @PropertyInject(value = "soar.s3.storage-class", defaultValue = "")
    String storageClass;
    @PropertyInject(value = "soar.s3.server-side-encryption", defaultValue = "")
    String serverSideEncryption;
    @PropertyInject(value = "soar.s3.kms-key-id", defaultValue = "")
    String kmsKeyId;

    @Override
    public void configure(CamelContext context) {
        Outboxes outboxes = context.getRegistry().findSingleByType(Outboxes.class);
        if (outboxes.all().stream().noneMatch(o -> o.target() instanceof S3Target)) {
            return;
        }
        AWS2S3Configuration c = context.getComponent("aws2-s3", AWS2S3Component.class).getConfiguration();
        c.setAmazonS3Client(s3Client());
        if (!storageClass.isBlank()) {
            c.setStorageClass(storageClass.strip());
        }
        String sse = serverSideEncryption.strip();
        switch (sse.toLowerCase(Locale.ROOT)) {
            case "", "none" -> { }
            case "aes256", "sse-s3" -> c.setUseSSES3(true);
            case "aws:kms", "sse-kms" -> {
                c.setUseAwsKMS(true);
                c.setAwsKMSKeyId(Settings.emptyToNull(kmsKeyId.strip()));
            }
            default -> throw new IllegalArgumentException("soar.s3.server-side-encryption '" + sse
                    + "' is not AES256, aws:kms or empty");
        }
    }

    /**
     * Parts go as plain bodies, not aws-chunked: over {@code http://} the SDK would sign them in chunks of 128 KB (a
     * new buffer and an HMAC per chunk, and, once hot, a JIT compilation of its chunk encoder that takes about 30 MB
     * of native memory for a moment), where a plain body is hashed once from the part in memory; over
     * {@code https://} the checksum goes in a header instead of a trailer. Parts are held in memory, so reading them
     * twice costs nothing. With an endpoint override (MinIO, Ceph, S3Proxy, ...) checksums are sent only where S3
     * requires them: the SDK's newer default (trailing checksums) is not understood by every S3-compatible store, and
     * TLS and the part ETags protect the bytes.
     */
    S3Client s3Client() {
        var b = S3Client.builder().region(Region.of(region));
        b.serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
                .chunkedEncodingEnabled(false).build());
        String override = endpoint.strip();
        b.forcePathStyle(pathStyle.isBlank() ? !override.isEmpty() : Settings.flag(pathStyle));
        if (!override.isEmpty()) {
            b.endpointOverride(URI.create(override));
            b.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED);
            b.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        String key = accessKey.strip();
        b.credentialsProvider(key.isEmpty() ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secretKey)));
        return b.build();
    }
}
