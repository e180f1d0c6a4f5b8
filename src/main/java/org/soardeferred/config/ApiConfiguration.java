package org.soardeferred.config;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.PropertyInject;
import org.soardeferred.api.ApiRequests;
import org.soardeferred.api.Console;
import org.soardeferred.observe.SoarHealth;
import org.soardeferred.observe.SoarMetrics;
import org.soardeferred.store.JobStore;
import org.soardeferred.transfer.Outboxes;
import org.soardeferred.transfer.ResultDownload;

/** The REST API ({@code apiRequests}, its bearer token {@code apiAuth}, soar.http.token) and the {@code console}. */
public class ApiConfiguration implements CamelConfiguration {

    @BindToRegistry
    public ApiRequests apiRequests(JobStore store, Outboxes outboxes, ResultDownload downloads) {
        return new ApiRequests(store, outboxes, downloads);
    }

    @BindToRegistry
    public ApiRequests.Auth apiAuth(@PropertyInject(value = "soar.http.token", defaultValue = "") String token) {
        return new ApiRequests.Auth(token);
    }

    @BindToRegistry
    public Console console(JobStore store, SoarMetrics metrics, Outboxes outboxes, SoarHealth.SoarCheck soarCheck,
                           SoarHealth.JobStoreCheck storeCheck) {
        return new Console(store, metrics.throughput(), outboxes, soarCheck, storeCheck);
    }
}
