package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes rendered with {@code kubectl kustomize} (the base and each overlay) and validated offline
 * against Kubernetes' schemas (npm's kubernetes-models) and what the service needs (2+ replicas in cluster mode,
 * health probes, Prometheus annotations, credentials from Secrets, a PodDisruptionBudget that selects the pods):
 * src/test/kubernetes/validate.sh. No cluster is needed. Skipped, with a message, only where kubectl, node or npm
 * is not installed ({@code bash .ci/run} installs them).
 */
class KubernetesManifestsIT {

    @Test
    void theManifestsRenderAndAreValid() throws Exception {
        for (String tool : new String[] {"kubectl", "node", "npm"}) {
            assumeTrue(onPath(tool), tool + " is not installed: the Kubernetes manifests are not validated "
                    + "(bash .ci/run installs kubectl, nodejs and npm)");
        }
        Path log = Path.of("target", "failsafe-reports", "KubernetesManifestsIT.log");
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder("bash", "src/test/kubernetes/validate.sh", "target/kubernetes")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(5, TimeUnit.MINUTES);
        if (!ended) {
            p.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(ended && p.exitValue() == 0).as(output).isTrue();
        assertThat(output).contains("base.yaml: ").contains("overlays-example.yaml: ")
                .contains("objects valid against the Kubernetes schemas");
        assertThat(Path.of("target", "kubernetes", "overlays-example.yaml")).content().contains("kind: PodDisruptionBudget");
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
