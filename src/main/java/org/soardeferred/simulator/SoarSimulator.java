package org.soardeferred.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for SOAR's DEFERRED API on 127.0.0.1, written from ESA's documentation and the facts collected
 * in the project: form login setting a {@code SESSION} cookie; {@code GET /data?…RETRIEVAL_ACCESS=DEFERRED}
 * answering an ESA-style UWS job document (CDATA, whitespace and {@code http://} around {@code email_base_url},
 * ESA's element order and attributes); phases that advance with time; deterministic tar.gz results served with
 * {@code Content-Length} and {@code Range}. Data item ids (or queries) containing {@code sim_error} end in
 * ERROR, those containing {@code sim_abort} in ABORTED. An archive catalogue ({@link #archive}) is served by a
 * synchronous TAP endpoint ({@code /tap/sync}, see {@link AdqlSubset} for the ADQL it understands) and gives
 * DEFERRED packages their files' real names and sizes. It serves the tests and the offline demo.
 */
public class SoarSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SoarSimulator.class);
    public static final String CONTEXT = "/soar-sl-tap";
    private static final Pattern QUOTED = Pattern.compile("'([^']+)'");
    /** An id containing sim_bytes123 makes a file of 123 bytes (benchmarks ask for their package size so). */
    private static final Pattern SIZE_HINT = Pattern.compile("sim_bytes(\\d+)");
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Set<String> PRODUCT_TYPES = Set.of("SCIENCE", "LOW_LATENCY", "TELEMETRY");
    private static final Set<String> RETRIEVAL_TYPES = Set.of("PRODUCT", "LAST_PRODUCT", "ALL_PRODUCTS");

    /** One request as the simulator saw it, for tests to inspect. */
    public record SeenRequest(String method, String path, String query, String cookie, String range) {
    }

    private final Map<String, String> users = new ConcurrentHashMap<>();
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();
    private final Map<String, SimJob> jobs = new ConcurrentHashMap<>();
    private final Map<String, Path> packages = new ConcurrentHashMap<>();
    private final List<SeenRequest> seen = new CopyOnWriteArrayList<>();
    private final AtomicLong jobCounter = new AtomicLong(System.currentTimeMillis());
    private final SecureRandom random = new SecureRandom();

    private volatile String cookieName = "SESSION";
    private volatile long itemBytes = 256 * 1024;
    private volatile long queuedMillis = 300;
    private volatile long executingMillis = 700;
    private volatile int resultsPerJob = 1;
    private volatile boolean uws11;
    private volatile boolean requireSessionForJobs = true;
    private volatile String resultHost;
    private volatile String dataReply;
    private volatile String pollReply;
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> failures = new ConcurrentHashMap<>();
    private final Map<String, Integer> failureStatus = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger drops = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long dropAfterBytes;
    private volatile long sizeSkew;
    private volatile long truncateBy;
    /** Rates, connection limit, Range and header modes of result downloads, on both listeners; bytes sent. */
    private final LinkShape link = new LinkShape();
    private volatile boolean holdPending;
    /** Exactly-once faults: how long a submit's reply is held after its job is made; how many replies are dropped. */
    private volatile long holdSubmitMillis;
    private final java.util.concurrent.atomic.AtomicInteger submitDrops = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean fullJobList;
    /** The archive: file name → row, in the order first archived. Guarded by itself. */
    private final Map<String, ArchivedFile> archive = new LinkedHashMap<>();
    private volatile int truncateSyncRows;
    private volatile String syncReply;

    private HttpServer server;
    private String bindAddress = "127.0.0.1";
    private String advertisedHost = "127.0.0.1";
    private volatile SendfileResults sendfile;
    private ExecutorService packageMaker;
    private ExecutorService requestThreads;
    private Path packageDir;

    public SoarSimulator user(String username, String password) {
        users.put(username, password);
        return this;
    }

    /** Bytes of each file in a package (default 256 KiB). */
    public SoarSimulator itemBytes(long bytes) {
        this.itemBytes = bytes;
        return this;
    }

    /** How long a job stays QUEUED, then EXECUTING (at least until its package is made). */
    public SoarSimulator timing(long queuedMillis, long executingMillis) {
        this.queuedMillis = queuedMillis;
        this.executingMillis = executingMillis;
        return this;
    }

    /** Splits each job's files over this many results (packages). */
    public SoarSimulator resultsPerJob(int n) {
        this.resultsPerJob = Math.max(1, n);
        return this;
    }

    /** The session cookie's name: SESSION (ESA since 2025) or JSESSIONID (before). */
    public SoarSimulator cookieName(String name) {
        this.cookieName = name;
        return this;
    }

    /** Declare UWS 1.1 and honour WAIT/PHASE blocking polls. */
    public SoarSimulator uws11(boolean on) {
        this.uws11 = on;
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
            sendfile = new SendfileResults(this::result, link);
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
        this.resultHost = host;
        return this;
    }

    /**
     * Answer every DEFERRED request with this body and HTTP 200 instead of a job (null: normal service), as SOAR
     * does with its HTML maintenance page or a VOTable error.
     */
    public SoarSimulator replyToData(String body) {
        this.dataReply = body;
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
        synchronized (archive) {
            for (ArchivedFile f : files) {
                archive.put(f.fileName(), f);
            }
        }
        return this;
    }

    /** A snapshot of the archive catalogue, in the order the files were first archived. */
    public List<ArchivedFile> catalogue() {
        synchronized (archive) {
            return List.copyOf(archive.values());
        }
    }

    // ------------------------------------------------------------------ fault injection, set per test

    /**
     * Cuts every {@code /tap/sync} row listing (not COUNT) to at most {@code maxRows} rows, with HTTP 200 and no
     * marker, as SOAR silently truncated long-running queries. 0: off.
     */
    public SoarSimulator truncateSync(int maxRows) {
        this.truncateSyncRows = Math.max(0, maxRows);
        return this;
    }

    /**
     * Answers every {@code /tap/sync} request with this body and HTTP 200 (an HTML maintenance page, an error
     * VOTable sent with 200, …); null: normal service.
     */
    public SoarSimulator syncReply(String body) {
        this.syncReply = body;
        return this;
    }

    /** The next {@code times} calls of a step (login, submit, poll, download, sync) answer this HTTP status. */
    public SoarSimulator fail(String step, int times, int status) {
        failures.put(step, new java.util.concurrent.atomic.AtomicInteger(times));
        failureStatus.put(step, status);
        return this;
    }

    /** The next {@code times} downloads break off (connection closed) after {@code bytes} bytes. */
    public SoarSimulator dropDownloads(int times, long bytes) {
        drops.set(times);
        dropAfterBytes = bytes;
        return this;
    }

    /**
     * Each download connection (one result response) is served at about this many bytes per second, whatever the
     * others do (0: as fast as possible): the same as {@link #ratePerConnection}.
     */
    public SoarSimulator throttle(long bytesPerSecond) {
        return ratePerConnection(bytesPerSecond);
    }

    /**
     * Each download connection (one result response) is served at about this many bytes per second, as SOAR's link
     * serves one connection at about 2 MB/s: n connections together get n times as much, up to {@link #totalRate}.
     * 0: as fast as possible. Applies to both listeners.
     */
    public SoarSimulator ratePerConnection(long bytesPerSecond) {
        link.ratePerConnection(bytesPerSecond);
        return this;
    }

    /** All download connections together are served at most this many bytes per second (0: no limit); both listeners. */
    public SoarSimulator totalRate(long bytesPerSecond) {
        link.totalRate(bytesPerSecond);
        return this;
    }

    /**
     * At most this many result downloads at once per client (its session; without one, per listener): one more is
     * answered 503 with {@code Retry-After: 1} (0: no limit). Applies to both listeners.
     */
    public SoarSimulator maxConnectionsPerClient(int n) {
        link.maxConnections(n);
        return this;
    }

    /** Result responses without {@code Accept-Ranges: bytes} (Range is still honoured unless {@link #ignoreRange}). */
    public SoarSimulator omitAcceptRanges(boolean on) {
        link.omitAcceptRanges(on);
        return this;
    }

    /** Result responses without {@code Content-Length}: the body comes chunked (closed with the connection on HTTP/1.0). */
    public SoarSimulator omitContentLength(boolean on) {
        link.omitContentLength(on);
        return this;
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

    /** Forgets every session, as SOAR does when a session expires: the next call with it gets 401. */
    public SoarSimulator expireSessions() {
        sessions.clear();
        return this;
    }

    /** Answer every poll with this body and HTTP 200 (malformed XML, an XXE payload, …); null: normal. */
    public SoarSimulator replyToPoll(String body) {
        this.pollReply = body;
        return this;
    }

    /** Announce result sizes this many bytes off (an archive bug users met). */
    public SoarSimulator skewSizes(long bytes) {
        this.sizeSkew = bytes;
        return this;
    }

    /** Serve packages cut short by this many bytes (a broken tar.gz whose size is announced as served). */
    public SoarSimulator truncatePackages(long bytes) {
        this.truncateBy = bytes;
        return this;
    }

    /** New jobs stay PENDING until their owner sends PHASE=RUN (the UWS default without PHASE=RUN at creation). */
    public SoarSimulator holdPending(boolean on) {
        this.holdPending = on;
        return this;
    }

    /** Answer Range requests with the whole package (HTTP 200), as servers without range support do; both listeners. */
    public SoarSimulator ignoreRange(boolean on) {
        link.ignoreRange(on);
        return this;
    }

    /** Deletes every job, as SOAR does two days after completion: job and result URLs answer 404. */
    public SoarSimulator expireJobs() {
        jobs.clear();
        return this;
    }

    /** Each DEFERRED request's job is made at once, but its reply is held this long (a slow link, a busy SOAR). */
    public SoarSimulator holdSubmitReplies(java.time.Duration hold) {
        this.holdSubmitMillis = hold.toMillis();
        return this;
    }

    /** The next n DEFERRED requests make their job, then the connection is closed with no reply at all. */
    public SoarSimulator dropSubmitReplies(int n) {
        submitDrops.set(n);
        return this;
    }

    /** The job list ({@code GET /tap/async}) holds whole job documents, as ESA's TAP+ lists them, not jobrefs. */
    public SoarSimulator fullJobList(boolean on) {
        this.fullJobList = on;
        return this;
    }

    /**
     * A job the user made earlier (another tool, a colleague on the same account): a DEFERRED request for these
     * comma-separated ids, SCIENCE/PRODUCT, created {@code ago} before now. Returns its id.
     */
    public String jobMadeEarlier(String user, String dataItemIds, java.time.Duration ago) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("retrieval_type", "PRODUCT");
        p.put("retrieval_access", "DEFERRED");
        p.put("product_type", "SCIENCE");
        p.put("data_item_id", dataItemIds);
        List<JobFile> files = new ArrayList<>();
        for (String id : dataItemIds.split(",")) {
            files.add(new JobFile(id.strip() + "_V01.cdf", null));
        }
        return newJob(p, user, files, null, System.currentTimeMillis() - ago.toMillis()).id;
    }

    /** Clears all faults, and the link's limits (the bytes-sent counters stay). */
    public SoarSimulator healthy() {
        failures.clear();
        holdPending = false;
        holdSubmitMillis = 0;
        submitDrops.set(0);
        fullJobList = false;
        drops.set(0);
        link.reset();
        sizeSkew = 0;
        truncateBy = 0;
        pollReply = null;
        dataReply = null;
        truncateSyncRows = 0;
        syncReply = null;
        return this;
    }

    private boolean injectFailure(HttpExchange ex, String step) throws IOException {
        var left = failures.get(step);
        if (left != null && left.getAndDecrement() > 0) {
            int status = failureStatus.get(step);
            if (status == 429 || status == 503) {
                ex.getResponseHeaders().add("Retry-After", "1");
            }
            send(ex, status, "text/html", "<html><body>Simulated " + status + " on " + step + "</body></html>");
            return true;
        }
        return false;
    }

    public SoarSimulator requireSessionForJobs(boolean on) {
        this.requireSessionForJobs = on;
        return this;
    }

    public SoarSimulator start(int port) {
        try {
            packageDir = Files.createTempDirectory("soar-simulator-");
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), 256);
        } catch (IOException e) {
            throw new UncheckedIOException("The SOAR simulator cannot start", e);
        }
        packageMaker = Executors.newFixedThreadPool(2, r -> daemon(r, "simulator-packager"));
        requestThreads = Executors.newFixedThreadPool(32, r -> daemon(r, "simulator-http"));
        server.setExecutor(requestThreads);
        server.createContext(CONTEXT + "/", this::handle);
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

    public List<SeenRequest> requests() {
        return List.copyOf(seen);
    }

    public long count(String method, String pathPart) {
        return seen.stream().filter(r -> r.method().equals(method) && r.path().contains(pathPart)).count();
    }

    public long submits() {
        return seen.stream().filter(r -> r.path().endsWith("/data")).count();
    }

    public long logins() {
        return count("POST", "/login");
    }

    /** The sha256 of each package (by result id) of a job. */
    public Map<String, String> packageSha256(String jobId) {
        SimJob job = jobs.get(jobId);
        Map<String, String> out = new LinkedHashMap<>();
        job.packages.join().forEach((id, path) -> out.put(id, Sha256Hex.of(path)));
        return out;
    }

    public List<String> jobIds() {
        return new ArrayList<>(jobs.keySet());
    }

    @Override
    public void close() {
        sendfileResults(false);
        if (server != null) {
            server.stop(0);
            requestThreads.shutdownNow();
            packageMaker.shutdownNow();
            try (Stream<Path> files = Files.walk(packageDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                LOG.debug("Cannot clean {}", packageDir, e);
            }
        }
    }

    // ------------------------------------------------------------------ request handling

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath().substring(CONTEXT.length());
            seen.add(new SeenRequest(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(),
                    ex.getRequestHeaders().getFirst("Cookie"), ex.getRequestHeaders().getFirst("Range")));
            String step = path.equals("/login") ? "login" : path.equals("/data") ? "submit"
                    : path.contains("/results/") ? "download" : path.startsWith("/tap/async/") ? "poll"
                    : path.equals("/tap/async") ? "list"
                    : path.equals("/tap/sync") ? "sync" : "other";
            if (injectFailure(ex, step)) {
                return;
            }
            if (path.equals("/login") && ex.getRequestMethod().equals("POST")) {
                login(ex);
            } else if (path.equals("/logout") && ex.getRequestMethod().equals("POST")) {
                sessionOf(ex).ifPresent(sessions::remove);
                send(ex, 200, "text/plain", "");
            } else if (path.equals("/sim/stats") && ex.getRequestMethod().equals("GET")) {
                send(ex, 200, "application/json", String.format(Locale.ROOT,
                        "{\"logins\":%d,\"submits\":%d,\"polls\":%d,\"downloads\":%d,\"jobs\":%d,\"bytesSent\":%d}",
                        logins(), submits(), count("GET", "/tap/async/") - count("GET", "/results/"),
                        count("GET", "/results/"), jobs.size(), bytesSent()));
            } else if (path.equals("/data") && ex.getRequestMethod().equals("GET")) {
                data(ex);
            } else if (path.equals("/tap/sync")) {
                tapSync(ex);
            } else if (path.equals("/tap/async") && ex.getRequestMethod().equals("GET")) {
                jobList(ex);
            } else if (path.startsWith("/tap/async/")) {
                async(ex, path.substring("/tap/async/".length()));
            } else {
                send(ex, 404, "text/html", "<html><body><h1>404 Not Found</h1></body></html>");
            }
        } catch (RuntimeException e) {
            LOG.warn("Simulator failed on {}", ex.getRequestURI(), e);
            send(ex, 500, "text/plain", "Internal error: " + e);
        }
    }

    /** {@code /tap/sync}: GET with a query string or POST with a form; public, no session needed. */
    private void tapSync(HttpExchange ex) throws IOException {
        String reply = syncReply;
        if (reply != null) {
            send(ex, 200, reply.contains("<html") ? "text/html" : "text/xml", reply);
            return;
        }
        String method = ex.getRequestMethod();
        if (!method.equals("GET") && !method.equals("POST")) {
            ex.getResponseHeaders().add("Allow", "GET, POST");
            send(ex, 405, "text/plain", "Method not allowed");
            return;
        }
        Map<String, String> p = parse(ex.getRequestURI().getRawQuery(), true);
        if (method.equals("POST")) {
            p.putAll(parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), true));
        }
        TapSync.Reply answer = TapSync.answer(p, catalogue(), truncateSyncRows);
        send(ex, answer.status(), answer.contentType(), answer.body());
    }

    private void login(HttpExchange ex) throws IOException {
        Map<String, String> form = parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), false);
        String user = form.get("username");
        String expected = user == null ? null : users.get(user);
        if (expected == null || !expected.equals(form.get("password"))) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"SOAR\"");
            send(ex, 401, "text/plain", "Unauthorized");
            return;
        }
        byte[] token = new byte[16];
        random.nextBytes(token);
        String session = HexFormat.of().formatHex(token) + ":" + user;
        sessions.add(session);
        ex.getResponseHeaders().add("Set-Cookie", cookieName + "=" + session + "; Path=" + CONTEXT + "; HttpOnly");
        send(ex, 200, "text/plain", "");
    }

    private void data(HttpExchange ex) throws IOException {
        Map<String, String> p = parse(ex.getRequestURI().getRawQuery(), true);
        if (!"DEFERRED".equals(p.get("retrieval_access"))) {
            send(ex, 400, "text/plain", "This simulator serves RETRIEVAL_ACCESS=DEFERRED requests only");
            return;
        }
        var session = sessionOf(ex);
        if (session.isEmpty()) {
            send(ex, 401, "text/html", "<html><body>Authentication required for DEFERRED requests</body></html>");
            return;
        }
        if (dataReply != null) {
            send(ex, 200, dataReply.contains("<html") ? "text/html" : "text/xml", dataReply);
            return;
        }
        String productType = p.getOrDefault("product_type", "SCIENCE");
        String retrievalType = p.getOrDefault("retrieval_type", "PRODUCT");
        if (!PRODUCT_TYPES.contains(productType) || !RETRIEVAL_TYPES.contains(retrievalType)) {
            sendVoTableError(ex, "Invalid product_type or retrieval_type: " + productType + ", " + retrievalType);
            return;
        }
        List<JobFile> files = new ArrayList<>();
        String ids = p.get("data_item_id");
        String query = p.get("query");
        if (ids != null && !ids.isBlank()) {
            for (String id : ids.split(",")) {
                List<ArchivedFile> archived = archivedVersions(id.strip(), retrievalType);
                if (archived.isEmpty()) {
                    files.add(new JobFile(id.strip() + "_V01.cdf", null));
                } else {
                    archived.forEach(f -> files.add(new JobFile(f.fileName(), f.fileSize())));
                }
            }
        } else if (query != null && !query.isBlank()) {
            if (!query.strip().toUpperCase(Locale.ROOT).startsWith("SELECT")) {
                sendVoTableError(ex, "Cannot parse query '" + query + "'");
                return;
            }
            Matcher m = QUOTED.matcher(query);
            while (m.find()) {
                ArchivedFile archived = archivedFile(m.group(1));
                files.add(archived != null ? new JobFile(archived.fileName(), archived.fileSize())
                        : new JobFile(m.group(1).endsWith(".cdf") ? m.group(1) : m.group(1) + "_V01.cdf", null));
            }
            if (files.isEmpty()) {
                files.add(new JobFile("query-" + Sha256Hex.of(query.getBytes(StandardCharsets.UTF_8)).substring(0, 8) + "_V01.cdf", null));
            }
        } else {
            sendVoTableError(ex, "No data_item_id or QUERY given");
            return;
        }
        SimJob job = newJob(p, session.get().substring(session.get().indexOf(':') + 1), files, query, System.currentTimeMillis());
        if (submitDrops.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            // the job exists, the reply never comes: closing the exchange before any header drops the connection
            LOG.info("Simulator: job {} made; dropping the connection without a reply", job.id);
            return;
        }
        if (holdSubmitMillis > 0) {
            try {
                Thread.sleep(holdSubmitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        send(ex, 200, "text/xml;charset=UTF-8", jobXml(job, phase(job)));
    }

    private SimJob newJob(Map<String, String> p, String owner, List<JobFile> files, String query, long createdMillis) {
        List<String> names = files.stream().map(JobFile::name).toList();
        String all = String.join(",", names) + (query == null ? "" : query);
        JobPhase outcome = all.contains("sim_error") ? JobPhase.ERROR : all.contains("sim_abort") ? JobPhase.ABORTED : JobPhase.COMPLETED;
        String id = jobCounter.incrementAndGet() + "OPE";
        CompletableFuture<Map<String, Path>> packages = outcome == JobPhase.COMPLETED
                ? CompletableFuture.supplyAsync(() -> makePackages(id, files), packageMaker)
                : CompletableFuture.completedFuture(Map.of());
        SimJob job = new SimJob(id, owner, p, names, createdMillis, outcome,
                outcome == JobPhase.ERROR ? "Simulated failure: the package for " + names.get(0) + " could not be assembled" : null,
                packages);
        if (holdPending) {
            job.pendingSince = job.createdMillis;
        }
        jobs.put(id, job);
        return job;
    }

    /**
     * {@code GET /tap/async}: the session's user's jobs, as jobrefs (id, href, phase) like ESA's Gaia list, or as
     * whole job documents like ESA's TAP+ ({@link #fullJobList}).
     */
    private void jobList(HttpExchange ex) throws IOException {
        var session = sessionOf(ex);
        if (session.isEmpty()) {
            send(ex, 401, "text/plain", "Authentication required");
            return;
        }
        String owner = session.get().substring(session.get().indexOf(':') + 1);
        List<SimJob> mine = jobs.values().stream().filter(j -> j.owner.equals(owner))
                .sorted(Comparator.comparing((SimJob j) -> j.id).reversed()).toList();
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        x.append("<uws:jobs xmlns:uws=\"http://www.ivoa.net/xml/UWS/v1.0\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" ")
                .append("xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" total=\"").append(mine.size()).append("\">\n");
        for (SimJob job : mine) {
            if (fullJobList) {
                String doc = jobXml(job, phase(job));
                x.append(doc.substring(doc.indexOf("<uws:job ")).replaceFirst("<uws:job [^>]*>", "<uws:job>"));
            } else {
                x.append("<uws:jobref id=\"").append(job.id).append("\" xlink:href=\"").append(baseUrl())
                        .append("/tap/async/").append(job.id).append("\"><uws:phase>").append(phase(job))
                        .append("</uws:phase></uws:jobref>\n");
            }
        }
        x.append("</uws:jobs>\n");
        send(ex, 200, "text/xml;charset=UTF-8", x.toString());
    }

    /** A file a job packs: its name and, for files from the catalogue, its size (null: the default size). */
    private record JobFile(String name, Long archivedSize) {
    }

    /** The catalogue's versions of an item: the highest only, or all (oldest first) for ALL_PRODUCTS. */
    private List<ArchivedFile> archivedVersions(String itemId, String retrievalType) {
        List<ArchivedFile> versions = catalogue().stream().filter(f -> f.itemId().equals(itemId))
                .sorted(Comparator.comparing(ArchivedFile::itemVersion, SoarSimulator::compareVersions)).toList();
        if (versions.isEmpty() || retrievalType.equals("ALL_PRODUCTS")) {
            return versions;
        }
        return List.of(versions.get(versions.size() - 1));
    }

    private ArchivedFile archivedFile(String fileName) {
        synchronized (archive) {
            return archive.get(fileName);
        }
    }

    /** V02 &lt; V10: by the version's number, then as text. */
    private static int compareVersions(String a, String b) {
        Matcher x = DIGITS.matcher(a == null ? "" : a);
        Matcher y = DIGITS.matcher(b == null ? "" : b);
        if (x.find() && y.find()) {
            int byNumber = new java.math.BigInteger(x.group()).compareTo(new java.math.BigInteger(y.group()));
            if (byNumber != 0) {
                return byNumber;
            }
        }
        return String.valueOf(a).compareTo(String.valueOf(b));
    }

    private void async(HttpExchange ex, String rest) throws IOException {
        String[] parts = rest.split("/");
        SimJob job = jobs.get(parts[0]);
        if (job == null) {
            send(ex, 404, "text/plain", "Job " + parts[0] + " not found");
            return;
        }
        if (requireSessionForJobs && sessionOf(ex).isEmpty()) {
            send(ex, 401, "text/plain", "Authentication required");
            return;
        }
        if (parts.length == 1 && ex.getRequestMethod().equals("GET")) {
            Map<String, String> p = parse(ex.getRequestURI().getRawQuery(), true);
            JobPhase phase = phase(job);
            if (uws11 && p.containsKey("wait")) {
                phase = waitForChange(job, phase, p);
            }
            send(ex, 200, "text/xml;charset=UTF-8", pollReply != null ? pollReply : jobXml(job, phase));
        } else if (parts.length == 2 && parts[1].equals("phase") && ex.getRequestMethod().equals("POST")) {
            Map<String, String> form = parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), true);
            if ("ABORT".equals(form.get("phase")) && !phase(job).isFinal()) {
                job.abortedAt = JobPhase.ABORTED;
            } else if ("RUN".equals(form.get("phase")) && job.pendingSince >= 0) {
                job.createdMillis = System.currentTimeMillis();
                job.pendingSince = -1;
            }
            ex.getResponseHeaders().add("Location", baseUrl() + "/tap/async");
            send(ex, 303, "text/plain", "");
        } else if (parts.length == 3 && parts[1].equals("results") && ex.getRequestMethod().equals("GET")) {
            Path file = resultFile(job, parts[2]);
            if (file == null) {
                send(ex, 404, "text/plain", "No result " + parts[2]);
                return;
            }
            sendFile(ex, job, file, parts[2] + ".tar.gz", sessionOf(ex).orElse("no session"));
        } else {
            send(ex, 404, "text/plain", "Not found");
        }
    }

    /** A completed job's package by its result id; null before the job completes or for another id. */
    private Path resultFile(SimJob job, String resultId) {
        return phase(job) == JobPhase.COMPLETED ? job.packages.join().get(resultId) : null;
    }

    /** A request for a result on the sendfile listener, checked as {@link #async} checks it. */
    private SendfileResults.Answer result(String method, String rawPath, String cookie) {
        String path = rawPath.startsWith(CONTEXT) ? rawPath.substring(CONTEXT.length()) : rawPath;
        int query = path.indexOf('?');
        String bare = query < 0 ? path : path.substring(0, query);
        seen.add(new SeenRequest(method, bare, query < 0 ? null : path.substring(query + 1), cookie, null));
        String[] parts = bare.split("/");
        // "", "tap", "async", job, "results", id
        if (parts.length != 6 || !parts[1].equals("tap") || !parts[2].equals("async") || !parts[4].equals("results")) {
            return SendfileResults.Answer.of(404);
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return SendfileResults.Answer.of(405);
        }
        SimJob job = jobs.get(parts[3]);
        if (job == null) {
            return SendfileResults.Answer.of(404);
        }
        if (requireSessionForJobs && sessionOf(cookie == null ? List.of() : List.of(cookie)).isEmpty()) {
            return SendfileResults.Answer.of(401);
        }
        Path file = resultFile(job, parts[5]);
        String client = sessionOf(cookie == null ? List.of() : List.of(cookie)).orElse("no session");
        return file == null ? SendfileResults.Answer.of(404)
                : new SendfileResults.Answer(200, file, parts[5] + ".tar.gz", job.id, client);
    }

    private JobPhase waitForChange(SimJob job, JobPhase current, Map<String, String> p) {
        long waitSeconds;
        try {
            waitSeconds = Long.parseLong(p.get("wait"));
        } catch (NumberFormatException e) {
            return current;
        }
        JobPhase from = p.containsKey("phase") ? JobPhase.named(p.get("phase")) : current;
        long deadline = System.currentTimeMillis() + (waitSeconds < 0 ? 60_000 : Math.min(waitSeconds, 60) * 1000);
        JobPhase now = current;
        while (now == from && !now.isFinal() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            now = phase(job);
        }
        return now;
    }

    /** The phase now: QUEUED, then EXECUTING (at least until the package is made), then the outcome. */
    private JobPhase phase(SimJob job) {
        if (job.abortedAt != null) {
            return JobPhase.ABORTED;
        }
        if (job.pendingSince >= 0) {
            return JobPhase.PENDING;
        }
        long age = System.currentTimeMillis() - job.createdMillis;
        if (age < queuedMillis) {
            return JobPhase.QUEUED;
        }
        if (age < queuedMillis + executingMillis || !job.packages.isDone()) {
            return JobPhase.EXECUTING;
        }
        return job.packages.isCompletedExceptionally() ? JobPhase.ERROR : job.outcome;
    }

    private Map<String, Path> makePackages(String jobId, List<JobFile> files) {
        int n = Math.min(resultsPerJob, files.size());
        Map<String, Path> out = new LinkedHashMap<>();
        long base = Long.parseLong(jobId.replace("OPE", ""));
        for (int k = 0; k < n; k++) {
            List<JobFile> part = new ArrayList<>();
            for (int i = k; i < files.size(); i += n) {
                part.add(files.get(i));
            }
            String resultId = "hmiddlet" + (base + 35 + k);
            // files not from the catalogue: itemBytes each, or the size hinted in their names
            Matcher hint = SIZE_HINT.matcher(String.join(",",
                    part.stream().filter(f -> f.archivedSize() == null).map(JobFile::name).toList()));
            long bytes = hint.find() ? Long.parseLong(hint.group(1)) : itemBytes;
            List<SimulatedPackage.Entry> entries = part.stream()
                    .map(f -> new SimulatedPackage.Entry(f.name(), f.archivedSize() == null ? bytes : f.archivedSize()))
                    .toList();
            String cacheKey = String.join(",", entries.stream().map(e -> e.name() + "|" + e.size()).toList());
            // the same files and sizes always make the same bytes: make them once
            out.put(resultId, packages.computeIfAbsent(cacheKey, key -> {
                Path file = packageDir.resolve(jobId + "-" + resultId + ".tar.gz");
                try (OutputStream os = Files.newOutputStream(file)) {
                    SimulatedPackage.write(entries, os);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return file;
            }));
        }
        return out;
    }

    private String jobXml(SimJob job, JobPhase phase) {
        String jobUrl = baseUrl() + "/tap/async/" + job.id;
        SendfileResults files = sendfile;
        String resultBase = files != null ? "http://127.0.0.1:" + files.port() + CONTEXT + "/tap/async/" + job.id
                : resultHost == null ? jobUrl : jobUrl.replace("127.0.0.1", resultHost);
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        x.append("<uws:job  xmlns:uws=\"http://www.ivoa.net/xml/UWS/v1.0\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" ")
                .append("xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ")
                .append(uws11 ? "version=\"1.1\" " : "")
                .append("xsi:schemaLocation=\"http://www.ivoa.net/xml/UWS/v1.0 http://www.ivoa.net/xml/UWS/v1.0\" >\n");
        x.append("<uws:jobId><![CDATA[").append(job.id).append("]]></uws:jobId>\n");
        x.append("<uws:runId xsi:nil=\"true\"/>\n");
        x.append("<uws:ownerId><![CDATA[").append(job.owner).append("]]></uws:ownerId>\n");
        x.append("<uws:phase>").append(phase).append("</uws:phase>\n");
        x.append("<uws:quote>-1</uws:quote>\n");
        x.append("<uws:startTime>").append(esaDate(job.createdMillis)).append("</uws:startTime>\n");
        x.append(phase.isFinal() ? "<uws:endTime>" + esaDate(System.currentTimeMillis()) + "</uws:endTime>\n" : "<uws:endTime xsi:nil=\"true\"/>\n");
        x.append("<uws:executionDuration>0</uws:executionDuration>\n");
        x.append("<uws:destruction>").append(esaDate(job.createdMillis + TimeUnit.DAYS.toMillis(2))).append("</uws:destruction>\n");
        x.append("<uws:creationTime>").append(esaDate(job.createdMillis)).append("</uws:creationTime>\n");
        x.append("<uws:locationId>").append(job.owner).append("/").append(job.id).append("</uws:locationId>\n");
        x.append("<uws:name><![CDATA[]]></uws:name>\n");
        x.append("<uws:parameters>\n");
        job.parameters.forEach((k, v) -> x.append("<uws:parameter id=\"").append(k)
                .append("\" parameter_type=\"COMMON\" parameter_data_type=\"String\" ><![CDATA[").append(v.replace("]]>", ""))
                .append("]]></uws:parameter>\n"));
        x.append("<uws:parameter id=\"email_base_url\" parameter_type=\"COMMON\" parameter_data_type=\"String\" >\n<![CDATA[ ")
                .append(jobUrl).append(" ]]>\n</uws:parameter>\n");
        x.append("</uws:parameters>\n<uws:results>\n");
        if (phase == JobPhase.COMPLETED) {
            job.packages.join().forEach((id, file) -> x.append("<uws:result id=\"").append(id)
                    .append("\" xlink:type=\"simple\" xlink:href=\"").append(resultBase).append("/results/").append(id)
                    .append("\" mime=\"application/x-gzip\" size=\"").append(size(file) - truncateBy + sizeSkew)
                    .append("\"/>\n"));
        }
        x.append("</uws:results>\n");
        if (phase == JobPhase.ERROR || phase == JobPhase.ABORTED) {
            String message = phase == JobPhase.ERROR ? (job.errorMessage != null ? job.errorMessage
                    : "the package could not be assembled: " + job.packages.handle((v, e) -> String.valueOf(e)).join())
                    : "Job aborted by the user or the archive";
            x.append("<uws:errorSummary type=\"fatal\" hasDetails=\"false\">\n<uws:message><![CDATA[")
                    .append(message).append("]]></uws:message>\n</uws:errorSummary>\n");
        } else {
            x.append("<uws:errorSummary xsi:nil=\"true\"/>\n");
        }
        x.append("</uws:job>\n");
        return x.toString();
    }

    private void sendFile(HttpExchange ex, SimJob job, Path file, String name, String client) throws IOException {
        if (!link.acquire(client)) {
            ex.getResponseHeaders().add("Retry-After", "1");
            send(ex, 503, "text/plain", "Too many connections from this client");
            return;
        }
        try {
            long size = size(file) - truncateBy;
            ex.getResponseHeaders().add("Content-Type", "application/x-gzip");
            ex.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"" + name + "\"");
            if (link.sendsAcceptRanges()) {
                ex.getResponseHeaders().add("Accept-Ranges", "bytes");
            }
            LinkShape.Span span = link.span(ex.getRequestHeaders().getFirst("Range"), size);
            if (span == null) {
                ex.getResponseHeaders().add("Content-Range", "bytes */" + size);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            if (span.partial()) {
                ex.getResponseHeaders().add("Content-Range", "bytes " + span.first() + "-" + span.last() + "/" + size);
            }
            // a length of 0 makes the JDK's server send the body chunked
            ex.sendResponseHeaders(span.partial() ? 206 : 200, link.sendsContentLength() ? span.length() : 0);
            sendBody(ex.getResponseBody(), job, file, span);
        } finally {
            link.release(client);
        }
    }

    private void sendBody(OutputStream out, SimJob job, Path file, LinkShape.Span span) throws IOException {
        long limit = drops.getAndDecrement() > 0 ? dropAfterBytes : Long.MAX_VALUE;
        LinkShape.Pace pace = link.pace();
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(span.first());
            byte[] buffer = new byte[64 * 1024];
            long left = span.length();
            long sent = 0;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, Math.min(left, limit - sent)));
                if (n <= 0) {
                    break;
                }
                pace.beforeSending(n);
                out.write(buffer, 0, n);
                link.sent(job.id, n);
                left -= n;
                sent += n;
                if (sent >= limit) {
                    out.flush();
                    // break the connection off mid-body, as a dropped network does
                    throw new IOException("simulated connection drop after " + sent + " bytes");
                }
            }
        }
        out.close();
    }

    /** A VOTable error document with HTTP 200, as SOAR answers some bad DEFERRED requests. */
    private void sendVoTableError(HttpExchange ex, String message) throws IOException {
        send(ex, 200, "text/xml", VoTables.error(message));
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
    }

    private java.util.Optional<String> sessionOf(HttpExchange ex) {
        return sessionOf(ex.getRequestHeaders().getOrDefault("Cookie", List.of()));
    }

    private java.util.Optional<String> sessionOf(List<String> headers) {
        for (String header : headers) {
            for (String cookie : header.split(";")) {
                String c = cookie.strip();
                if (c.startsWith(cookieName + "=") && sessions.contains(c.substring(cookieName.length() + 1))) {
                    return java.util.Optional.of(c.substring(cookieName.length() + 1));
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** Query or form parameters; names lower-cased when SOAR would (it treats names case-insensitively). */
    private static Map<String, String> parse(String raw, boolean lowerCaseNames) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(lowerCaseNames ? k.toLowerCase(Locale.ROOT) : k, v);
        }
        return out;
    }

    private static String esaDate(long millis) {
        return new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZ", Locale.ROOT).format(new Date(millis));
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

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

    /** A simulator started with the options of {@link #main}. */
    static SoarSimulator started(String... args) {
        return SimulatorCommand.started(args);
    }

    /** The link's shape, for the simulator's own tests. */
    LinkShape link() {
        return link;
    }

    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
