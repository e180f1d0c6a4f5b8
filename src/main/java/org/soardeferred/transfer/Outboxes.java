package org.soardeferred.transfer;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.soardeferred.store.JobRecord;

/**
 * The targets packages may go to: the service's own (soar.target, or the soar.outbox folder) and those a request may
 * name (soar.targets.allowed: s3://bucket/prefix URLs or folders). Each job's packages go to its request's target,
 * kept in the job store with the request, so a restart delivers to the same place. A target that is not allowed is
 * refused when the request arrives: a caller of the API cannot make the service write anywhere else.
 */
public class Outboxes {

    private final Outbox standard;
    private final Set<String> allowed;
    private final Set<String> internal;
    private final Function<String, Outbox> factory;
    private final Map<String, Outbox> made = new ConcurrentHashMap<>();

    /**
     * @param allowed  the targets a request may name
     * @param internal targets only the service's own requests use (the mirrors'), which a caller may not name
     */
    public Outboxes(Outbox standard, Set<String> allowed, Set<String> internal, Function<String, Outbox> factory) {
        this.standard = standard;
        this.allowed = Set.copyOf(allowed);
        this.internal = Set.copyOf(internal);
        this.factory = factory;
    }

    /** Where the job's packages go. */
    public Outbox of(JobRecord job) {
        String target = job.request == null ? null : job.request.target();
        return target == null ? standard : made.computeIfAbsent(target, t -> {
            if (!allowed.contains(t) && !internal.contains(t)) {
                throw new TransferException("the target " + t + " is no longer in soar.targets.allowed (nor a mirror's)");
            }
            return factory.apply(t);
        });
    }

    /** Every target: the service's own, then those requests and mirrors may name. */
    public java.util.List<Outbox> all() {
        java.util.List<Outbox> out = new java.util.ArrayList<>();
        out.add(standard);
        java.util.Set<String> named = new java.util.TreeSet<>(allowed);
        named.addAll(internal);
        for (String t : named) {
            out.add(made.computeIfAbsent(t, factory));
        }
        return out;
    }

    /** The service's own target. */
    public Outbox standard() {
        return standard;
    }

    /** Why a request may not name that target (it is not allowed), or null when it may. */
    public String refusal(String target) {
        if (target == null || allowed.contains(target)) {
            return null;
        }
        return "the target '" + target + "' is not allowed; allowed: "
                + (allowed.isEmpty() ? "only the service's own (leave target out)" : allowed + " (soar.targets.allowed)");
    }

    // the routes' steps, for a job

    public String writeManifest(JobRecord job) {
        return of(job).writeManifest(job);
    }

    public void discard(JobRecord job) {
        of(job).discard(job);
    }
}
