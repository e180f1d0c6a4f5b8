package org.soardeferred.config;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.LoggingLevel;
import org.apache.camel.Processor;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.apache.hc.client5.http.cookie.CookieStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.common.Durations;
import org.soardeferred.observe.SoarHealth;
import org.soardeferred.observe.SoarMetrics;
import org.soardeferred.soar.MissingCredentialsException;
import org.soardeferred.soar.SentRequests;
import org.soardeferred.soar.SoarReplies;
import org.soardeferred.soar.SoarSession;
import org.soardeferred.soar.SoarUrls;
import org.soardeferred.store.JobStore;
import org.soardeferred.store.PollSchedules;
import org.soardeferred.uws.UwsJobReader;

/**
 * The link to SOAR: its URLs ({@code soarUrls}), the session and its cookie store ({@code soarSession},
 * {@code soarCookies}, {@code soarLogout}), the HTTP client's settings ({@code soarHttpClient}), the readers of its
 * replies ({@code uwsJobReader}, {@code soarReplies}, {@code sentRequests}), the retries of a step whose fault may
 * pass ({@code transientRetries}), the polls' schedule ({@code pollSchedules}) and SOAR's health check
 * ({@code soarCheck}).
 */
public class SoarLinkConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(SoarLinkConfiguration.class);

    @PropertyInject("soar.base-url")
    String baseUrl;
    @PropertyInject(value = "soar.attach.allowed-hosts", defaultValue = "")
    String attachHosts;
    @PropertyInject(value = "soar.username", defaultValue = "")
    String username;
    @PropertyInject(value = "soar.password", defaultValue = "")
    String password;

    @BindToRegistry
    public SoarUrls soarUrls() {
        return new SoarUrls(baseUrl, Settings.hosts(attachHosts));
    }

    @BindToRegistry
    public SoarSession soarSession(SoarUrls urls) {
        SoarSession session = new SoarSession(username, password, urls.host());
        if (!session.hasCredentials()) {
            LOG.warn(new MissingCredentialsException().getMessage());
        }
        return session;
    }

    @BindToRegistry
    public CookieStore soarCookies(SoarSession session) {
        return session.cookieStore();
    }

    @BindToRegistry
    public Processor soarLogout(SoarSession session) {
        return exchange -> {
            LOG.warn("SOAR no longer accepts the session; logging in again");
            session.logout();
        };
    }

    /** Retries are the routes' business (counted, logged, with back-off): HttpClient makes none of its own. */
    @BindToRegistry
    public HttpClientConfigurer soarHttpClient() {
        return builder -> builder.disableAutomaticRetries().setUserAgent(Settings.userAgent());
    }

    @BindToRegistry
    public UwsJobReader uwsJobReader() {
        return new UwsJobReader();
    }

    @BindToRegistry
    public SentRequests sentRequests(UwsJobReader reader, JobStore store,
                                     @PropertyInject("soar.submit.clock-skew") String clockSkew) {
        return new SentRequests(reader, Durations.parse("soar.submit.clock-skew", clockSkew), store::followsRemoteJob);
    }

    @BindToRegistry
    public SoarReplies soarReplies(@PropertyInject("soar.retry.max-delay") String maxDelay) {
        return new SoarReplies(Durations.parse("soar.retry.max-delay", maxDelay));
    }

    /** Retries of a step whose fault may pass: exponential back-off with jitter, no thread held while waiting. */
    @BindToRegistry
    public RedeliveryPolicy transientRetries(@PropertyInject("soar.retry.max-attempts") String maxAttempts,
                                             @PropertyInject("soar.retry.delay") String delay,
                                             @PropertyInject("soar.retry.max-delay") String maxDelay) {
        RedeliveryPolicy p = new RedeliveryPolicy();
        p.setMaximumRedeliveries(Settings.integer(maxAttempts));
        p.setRedeliveryDelay(Durations.parse("soar.retry.delay", delay).toMillis());
        p.setMaximumRedeliveryDelay(Durations.parse("soar.retry.max-delay", maxDelay).toMillis());
        p.setUseExponentialBackOff(true);
        p.setBackOffMultiplier(2);
        p.setUseCollisionAvoidance(true);
        p.setCollisionAvoidanceFactor(0.25);
        p.setAsyncDelayedRedelivery(true);
        p.setRetryAttemptedLogLevel(LoggingLevel.WARN);
        p.setLogStackTrace(false);
        p.setLogRetryStackTrace(false);
        return p;
    }

    @BindToRegistry
    public PollSchedules pollSchedules(SoarMetrics metrics,
                                       @PropertyInject("soar.poll.delay") String delay,
                                       @PropertyInject("soar.poll.max-delay") String maxDelay,
                                       @PropertyInject("soar.poll.timeout") String timeout,
                                       @PropertyInject("soar.poll.wait") String maxWait) {
        return new PollSchedules(Durations.parse("soar.poll.delay", delay), Durations.parse("soar.poll.max-delay", maxDelay),
                Durations.parse("soar.poll.timeout", timeout), Durations.parse("soar.poll.wait", maxWait), metrics::polled);
    }

    @BindToRegistry
    public SoarHealth.SoarCheck soarCheck(SoarUrls urls, SoarSession session,
                                          @PropertyInject("soar.health.soar-check-interval") String interval) {
        return new SoarHealth.SoarCheck(urls.base(), session, Durations.parse("soar.health.soar-check-interval", interval));
    }

    @Override
    public void configure(CamelContext context) {
        SoarSession session = context.getRegistry().findSingleByType(SoarSession.class);
        LOG.info("SOAR at {} as {}", context.getRegistry().findSingleByType(SoarUrls.class).base(), session.hasCredentials() ? "'" + session.username() + "'" : "(no credentials)");
    }
}
