package org.soardeferred.observe;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.soardeferred.store.JobRecord;
import org.soardeferred.transfer.Outbox;
import org.soardeferred.transfer.Outboxes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what the job store records into job transitions: a JSON event for each (submitted, phase, downloading,
 * completed with the manifest, failed with the reason) sent to {@code seda:job-events} (the events route forwards
 * them to {@code soar.events.uri}), and the job metrics. Listens to the store, so no route has to remember to tell.
 */
public class JobEvents {

    private static final Logger LOG = LoggerFactory.getLogger(JobEvents.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CamelContext context;
    private final SoarMetrics metrics;
    private final Outboxes outboxes;
    /** The last status and phase told, per job. */
    private final Map<String, String> seen = new ConcurrentHashMap<>();
    private volatile ProducerTemplate producer;

    public JobEvents(CamelContext context, SoarMetrics metrics, Outboxes outboxes) {
        this.context = context;
        this.metrics = metrics;
        this.outboxes = outboxes;
    }

    /** Called by the job store after each write. */
    public void changed(JobRecord job) {
        String state = job.status + "/" + job.phase;
        String before = seen.put(job.id, state);
        if (state.equals(before)) {
            return;
        }
        String previousStatus = before == null ? null : before.substring(0, before.indexOf('/'));
        String previousPhase = before == null ? null : before.substring(before.indexOf('/') + 1);
        boolean statusChanged = !job.status.name().equals(previousStatus);
        if (statusChanged) {
            switch (job.status) {
                case ACCEPTED -> send("accepted", job, null);
                case SUBMITTED -> {
                    if (job.request.jobUrl() == null) {
                        metrics.submitted();
                    }
                    send("submitted", job, null);
                }
                case FETCHING -> {
                    metrics.completed(job);
                    send("downloading", job, null);
                }
                case DELIVERED -> {
                    metrics.delivered(job);
                    send("completed", job, Outbox.manifest(job, job.name, r -> r.file));
                }
                case FAILED -> {
                    metrics.failed(job);
                    send("failed", job, null);
                }
                default -> { }
            }
        }
        if (job.phase != null && !job.phase.equals(previousPhase) && !"null".equals(job.phase)) {
            send("phase", job, null);
        }
        if (job.status.isFinished()) {
            seen.remove(job.id);
        }
    }

    private void send(String type, JobRecord job, Map<String, Object> manifest) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", type);
        e.put("at", Instant.now().toString());
        e.putAll(job.identity());
        if (job.error != null) {
            e.put("error", job.error);
            e.put("errorKind", job.errorKind);
        }
        if (manifest != null) {
            e.put("manifest", manifest);
            e.put("manifestLocation", outboxes.of(job).manifestLocation(job));
        }
        try {
            String json = JSON.writeValueAsString(e);
            if (producer == null) {
                producer = context.createProducerTemplate();
            }
            // never blocks or fails a job: the events route delivers on its own threads
            producer.sendBody("seda:job-events", json);
        } catch (JsonProcessingException | RuntimeException ex) {
            LOG.warn("{}: the {} event could not be sent: {}", job, type, ex.toString());
        }
    }

}
