package org.soardeferred.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for SOAR's DEFERRED API on 127.0.0.1, written from ESA's documentation and the facts collected
 * in the project: form login setting a {@code SESSION} cookie ({@link Sessions}); {@code GET /data?…RETRIEVAL_ACCESS=DEFERRED}
 * answering an ESA-style UWS job document ({@link DeferredRequests}, {@link JobDocuments}); phases that advance with
 * time ({@link SimJobs}); deterministic tar.gz results served with {@code Content-Length} and {@code Range}
 * ({@link ResultDownloads}). Data item ids (or queries) containing {@code sim_error} end in ERROR, those containing
 * {@code sim_abort} in ABORTED. An archive catalogue ({@link #archive}) is served by a synchronous TAP endpoint
 * ({@code /tap/sync}, see {@link AdqlSubset} for the ADQL it understands) and gives DEFERRED packages their files'
 * real names and sizes. Faults and the link's shape are set per test ({@link FaultInjection}). It serves the tests
 * and the offline demo.
 */
public final class SoarSimulator extends FaultInjection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SoarSimulator.class);
    public static final String CONTEXT = "/soar-sl-tap";

    /** One request as the simulator saw it, for tests to inspect. */
    public record SeenRequest(String method, String path, String query, String cookie, String range) {
    }

    private HttpServer server;
    private String bindAddress = "127.0.0.1";
    private String advertisedHost = "127.0.0.1";
    private volatile SendfileResults sendfile;
    private ExecutorService requestThreads;

    private final RequestLog log = new RequestLog();
    private final Sessions sessions = new Sessions();
    private final ArchiveCatalogue catalogue = new ArchiveCatalogue();
    private final PackageMaker packages = new PackageMaker();
    private final SimJobs jobs = new SimJobs(packages, faults);
    private final JobDocuments documents = new JobDocuments(jobs, faults, this::baseUrl, () -> sendfile);
    private final DeferredRequests deferred = new DeferredRequests(sessions, catalogue, jobs, documents, faults);
    private final ResultDownloads downloads = new ResultDownloads(sessions, jobs, link, faults, log);
    private final AsyncJobs async = new AsyncJobs(sessions, jobs, documents, downloads, faults, this::baseUrl);

    @Override
    SoarSimulator self() {
        return this;
    }

    public SoarSimulator user(String username, String password) {
        sessions.user(username, password);
        return this;
    }

    /** Bytes of each file in a package (default 256 KiB). */
    public SoarSimulator itemBytes(long bytes) {
        packages.itemBytes = bytes;
        return this;
    }

    /** How long a job stays QUEUED, then EXECUTING (at least until its package is made). */
    public SoarSimulator timing(long queuedMillis, long executingMillis) {
        jobs.queuedMillis = queuedMillis;
        jobs.executingMillis = executingMillis;
        return this;
    }

    /** Splits each job's files over this many results (packages). */
    public SoarSimulator resultsPerJob(int n) {
        packages.resultsPerJob = Math.max(1, n);
        return this;
    }

    /** The session cookie's name: SESSION (ESA since 2025) or JSESSIONID (before). */
    public SoarSimulator cookieName(String name) {
        sessions.cookieName = name;
        return this;
    }

    /** Declare UWS 1.1 and honour WAIT/PHASE blocking polls. */
    public SoarSimulator uws11(boolean on) {
        documents.uws11 = on;
        return this;
    }

    public SoarSimulator requireSessionForJobs(boolean on) {
        sessions.requiredForJobs = on;
        return this;
    }

    /**
     * Serve packages from a second listener by {@code sendfile}, as a static file server would, so the simulator's
     * CPU hardly competes with the client's on a loopback benchmark ({@link SendfileResults}). Result hrefs then
     * point at that listener. The link's shape (rates, connection limit, ignored ranges, headers left out) applies
     * to both listeners; download faults (drops, truncation, injected failures) to the simulator's own listener only.
     */
    public synchronized SoarSimulator sendfileResults(boolean on) {
        if (on && sendfile == null) {
            sendfile = new SendfileResults(downloads::lookup, link);
        } else if (!on && sendfile != null) {
            sendfile.close();
            sendfile = null;
        }
        return this;
    }

    /**
     * Listen on this address instead of 127.0.0.1 (e.g. 0.0.0.0 in a container, so that other containers reach it);
     * with {@link #advertise}, the host name the others know it by.
     */
    public SoarSimulator bind(String address) {
        this.bindAddress = address;
        return this;
    }

    /** The host name written in job and result URLs (the port is the one it listens on); default 127.0.0.1. */
    public SoarSimulator advertise(String host) {
        this.advertisedHost = host;
        return this;
    }

    /** Serve result hrefs under another host name (e.g. "localhost" when the base is 127.0.0.1). */
    public SoarSimulator resultHost(String host) {
        documents.resultHost = host;
        return this;
    }

    // ------------------------------------------------------------------ archive catalogue

    /**
     * Adds files to the archive catalogue (served by {@code /tap/sync}, used for DEFERRED packages). A file with
     * the same file name as one already there replaces it.
     *
     * @param files the rows to add, e.g. {@code ArchivedFile.of("solo_L2_mag-rtn-burst_20210827", "V03", 1024, "2024-03-11T18:04:38.139")}
     * @return this simulator
     */
    public SoarSimulator archive(ArchivedFile... files) {
        catalogue.add(files);
        return this;
    }

    /** A snapshot of the archive catalogue, in the order the files were first archived. */
    public List<ArchivedFile> catalogue() {
        return catalogue.snapshot();
    }

    // ------------------------------------------------------------------ what SOAR does to sessions and jobs

    /** Forgets every session, as SOAR does when a session expires: the next call with it gets 401. */
    public SoarSimulator expireSessions() {
        sessions.expireAll();
        return this;
    }

    /** Deletes every job, as SOAR does two days after completion: job and result URLs answer 404. */
    public SoarSimulator expireJobs() {
        jobs.clear();
        return this;
    }

    /**
     * A job the user made earlier (another tool, a colleague on the same account): a DEFERRED request for these
     * comma-separated ids, SCIENCE/PRODUCT, created {@code ago} before now. Returns its id.
     */
    public String jobMadeEarlier(String user, String dataItemIds, Duration ago) {
        return deferred.madeEarlier(user, dataItemIds, ago);
    }

    // ------------------------------------------------------------------ running

    public SoarSimulator start(int port) {
        try {
            packages.start();
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), 256);
        } catch (IOException e) {
            throw new UncheckedIOException("The SOAR simulator cannot start", e);
        }
        requestThreads = Executors.newFixedThreadPool(32, r -> daemon(r, "simulator-http"));
        server.setExecutor(requestThreads);
        server.createContext(CONTEXT + "/",
                new SimulatorRouter(log, faults, sessions, catalogue, deferred, async, jobs, link));
        server.start();
        LOG.info("SOAR simulator listening on {}", baseUrl());
        return this;
    }

    public String baseUrl() {
        return "http://" + advertisedHost + ":" + server.getAddress().getPort() + CONTEXT;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        sendfileResults(false);
        if (server != null) {
            server.stop(0);
            requestThreads.shutdownNow();
            packages.close();
        }
    }

    // ------------------------------------------------------------------ what it saw and served

    public List<SeenRequest> requests() {
        return log.all();
    }

    public long count(String method, String pathPart) {
        return log.count(method, pathPart);
    }

    public long submits() {
        return log.submits();
    }

    public long logins() {
        return log.logins();
    }

    /** The sha256 of each package (by result id) of a job. */
    public Map<String, String> packageSha256(String jobId) {
        return jobs.sha256(jobId);
    }

    public List<String> jobIds() {
        return jobs.ids();
    }

    /** Bytes of result bodies sent so far, by both listeners, to every client. */
    public long bytesSent() {
        return link.bytesSent();
    }

    /** Bytes of the results of one job sent so far, by both listeners (a resumed download counts what it fetched again). */
    public long bytesSent(String jobId) {
        return link.bytesSent(jobId);
    }

    /** The most result downloads served at once since the simulator started, on both listeners. */
    public int peakDownloads() {
        return link.peak();
    }

    /** Result downloads being served at this moment, on both listeners. */
    public int downloadsInProgress() {
        return link.downloading();
    }

    /** The link's shape, for the simulator's own tests. */
    LinkShape link() {
        return link;
    }

    // ------------------------------------------------------------------ on its own

    /**
     * Runs the simulator on its own (benchmarks, trying things out): {@code --port N} (0: a free one),
     * {@code --user U --password P}, {@code --item-bytes B}, {@code --queued MS --executing MS}, {@code --uws11},
     * {@code --sendfile} (packages served by sendfile from a second listener: {@link #sendfileResults}); the link's
     * shape on both listeners: {@code --rate-per-connection 4MB} (bytes per second of each download connection,
     * {@link #ratePerConnection}), {@code --total-rate 16MB} (of all of them together, {@link #totalRate}),
     * {@code --max-connections N} (per client, beyond it 503 with Retry-After, {@link #maxConnectionsPerClient}),
     * {@code --ignore-range} (200 with the whole body), {@code --no-accept-ranges}, {@code --no-content-length}
     * (chunked). Sizes as in the configuration: 4MB = 4 MiB, or plain bytes.
     * {@code --bind 0.0.0.0 --advertise soar} (listen on all addresses, and name itself soar in its URLs: in a
     * container, for the others; see deploy/compose.yaml).
     * Prints {@code READY <base URL>} once listening; stops on Ctrl-C or SIGTERM.
     */
    public static void main(String[] args) throws InterruptedException {
        SoarSimulator s = started(args);
        Runtime.getRuntime().addShutdownHook(new Thread(s::close));
        System.out.println("READY " + s.baseUrl());
        System.out.flush();
        Thread.currentThread().join();
    }

    /** A simulator started with the options of {@link #main} ({@link SimulatorCommand}). */
    static SoarSimulator started(String... args) {
        return SimulatorCommand.started(args);
    }

    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
