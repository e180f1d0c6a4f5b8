package org.soardeferred.store;

/**
 * In a cluster, this node no longer holds the lease of a job (it was paused or cut off longer than
 * soar.cluster.lease, and another node took the job over): it stops working on it and writes nothing more.
 */
public class LeaseLostException extends RuntimeException {
    public LeaseLostException(JobRecord job, String node) {
        super(job + ": node " + node + " no longer holds its lease; another node has taken it over");
    }
}
