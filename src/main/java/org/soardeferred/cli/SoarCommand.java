package org.soardeferred.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.camel.CamelContext;
import org.soardeferred.common.Durations;
import org.soardeferred.common.InvalidRequestException;
import org.soardeferred.config.SoarMain;
import org.soardeferred.request.QueryFileReader;
import org.soardeferred.soar.SoarRequest;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.JobStatus;
import org.soardeferred.store.JobStore;
import org.soardeferred.store.ResultRecord;
import org.soardeferred.transfer.Outbox;
import org.soardeferred.transfer.Outboxes;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The command line: {@code serve} (the default), {@code fetch}, {@code jobs} and {@code resume}. */
@Command(name = "soar-deferred", mixinStandardHelpOptions = true, versionProvider = SoarCommand.Version.class,
        description = "Fetches data packages from ESA's Solar Orbiter Archive (SOAR) through DEFERRED requests.",
        subcommands = {SoarCommand.Serve.class, SoarCommand.Fetch.class, SoarCommand.Jobs.class, SoarCommand.Resume.class,
                Status.class},
        footer = {"", "Without a command: serve. Configuration: config/application.properties and SOAR_* environment "
                + "variables (see docs/configuration.md).", "Exit codes: 0 ok, 1 other failure, 2 bad input, 3 authentication, "
                + "4 job ended in ERROR/ABORTED or expired, 5 transfer failure, 130 interrupted (resumable)."})
public class SoarCommand implements Callable<Integer> {

    @Option(names = "--demo", description = "Run against the built-in SOAR simulator (offline, no credentials).")
    boolean demo;
    @Option(names = "--dev", description = "Development: the routes are read from routes/ on disk and reloaded when saved.")
    boolean dev;

    @Override
    public Integer call() throws Exception {
        return new Serve().run(demo, dev);
    }

    public static int execute(String... args) {
        return new CommandLine(new SoarCommand()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    Throwable t = e;
                    while (t.getCause() != null && t.getMessage() != null && t.getMessage().startsWith("Error")) {
                        t = t.getCause();
                    }
                    cmd.getErr().println("soar-deferred: " + org.soardeferred.common.Failures.describe(rootMessage(e)));
                    return ExitCodes.FAILURE;
                }).execute(args);
    }

    /** The innermost exception whose message says something of our own (a configuration or store problem). */
    private static Throwable rootMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalStateException || t instanceof IllegalArgumentException) {
                return t;
            }
        }
        return e;
    }

    /** The service: watches the inbox, resumes unfinished jobs, runs until stopped. */
    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the service (the default).")
    static class Serve implements Callable<Integer> {
        @Option(names = "--demo", description = "Run against the built-in SOAR simulator (offline, no credentials).")
        boolean demo;
        @Option(names = "--dev", description = "Development: the routes are read from routes/ on disk and reloaded when saved.")
        boolean dev;

        @Override
        public Integer call() throws Exception {
            return run(demo, dev);
        }

        int run(boolean demo, boolean dev) throws Exception {
            SoarMain.serve(demo, dev);
            return ExitCodes.OK;
        }
    }

    /** The options of the commands that run jobs and show them to a person. */
    static class RunOptions {
        @Option(names = "--demo", description = "Run against the built-in SOAR simulator (offline, no credentials).")
        boolean demo;
        @Option(names = "--progress-interval", paramLabel = "DURATION", defaultValue = "5s",
                description = "How often plain (non-terminal) output reports progress (default: ${DEFAULT-VALUE}).")
        String progressInterval;
        @Option(names = {"-v", "--verbose"}, description = "Show the service's log.")
        boolean verbose;

        JobWatcher watcher(ServiceRun run, PrintStream out) {
            return new JobWatcher(run.store(), run.outboxes(), run.downloads()::live, out, isTerminal(),
                    Durations.parse("--progress-interval", progressInterval));
        }
    }

    /** Quiet logs for the commands that talk to a person, unless --verbose. */
    static void quietLogs(boolean verbose) {
        if (!verbose && System.getenv("SOAR_LOG_LEVEL") == null) {
            System.setProperty("SOAR_LOG_LEVEL", "ERROR");
        }
    }

    static boolean isTerminal() {
        String term = System.getenv("TERM");
        return System.console() != null && term != null && !term.equals("dumb");
    }

    /** One request: submit, wait, download, exit with a code that says how it went. */
    @Command(name = "fetch", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Submit one request, wait for SOAR to assemble it, download it, and exit.")
    static class Fetch implements Callable<Integer> {

        static class Source {
            @Option(names = "--ids", split = ",", paramLabel = "ID", description = "Data item ids, comma-separated.")
            List<String> ids;
            @Option(names = "--adql", paramLabel = "QUERY", description = "An ADQL query returning filepath and filename.")
            String adql;
            @Option(names = "--file", paramLabel = "FILE", description = "A query file (.ids, .txt, .adql, .properties, .job).")
            Path file;
            @Option(names = "--job-url", paramLabel = "URL",
                    description = "Attach to a job submitted elsewhere: the link in SOAR's e-mail, or any UWS job URL.")
            String jobUrl;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;
        @Option(names = "--product-type", paramLabel = "TYPE", description = "SCIENCE (default), LOW_LATENCY or TELEMETRY.")
        String productType;
        @Option(names = "--retrieval-type", paramLabel = "TYPE", description = "PRODUCT (default), LAST_PRODUCT or ALL_PRODUCTS.")
        String retrievalType;
        @Option(names = "--out", paramLabel = "DIR", description = "Where the package and its manifest go (default: soar.outbox).")
        Path out;
        @Option(names = "--target", paramLabel = "s3://BUCKET/PREFIX",
                description = "Deliver to S3 or an S3-compatible store instead of a folder (see soar.s3.* for endpoint and credentials).")
        String target;
        @Option(names = "--name", paramLabel = "NAME", description = "Names the outputs NAME.tar.gz and NAME.json.")
        String name;
        @Mixin
        RunOptions options;

        @Override
        public Integer call() throws Exception {
            quietLogs(options.verbose);
            PrintStream out = System.out;
            SoarRequest request;
            try {
                request = request();
            } catch (InvalidRequestException e) {
                System.err.println("soar-deferred: invalid request: " + e.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            Map<String, String> overrides = new LinkedHashMap<>();
            overrides.put("soar.inbox.enabled", "false");
            overrides.put("soar.recover.enabled", "false");
            // a one-off run, perhaps on a job store of its own beside a service writing to the same prefix: it aborts
            // only the uploads its own store kept, and sweeps nothing
            overrides.put("soar.s3.orphan-sweep", "false");
            if (this.out != null && target != null) {
                System.err.println("soar-deferred: invalid request: give --out or --target, not both");
                return ExitCodes.BAD_INPUT;
            }
            if (this.out != null) {
                overrides.put("soar.outbox", this.out.toString());
                overrides.put("soar.target", "");
            }
            if (target != null) {
                if (!target.startsWith("s3://")) {
                    System.err.println("soar-deferred: invalid request: --target must be s3://BUCKET/PREFIX (use --out for a folder)");
                    return ExitCodes.BAD_INPUT;
                }
                overrides.put("soar.target", target);
            }
            try (ServiceRun run = ServiceRun.start(overrides, options.demo)) {
                JobRecord job;
                try {
                    job = run.template().requestBody("direct:request", request, JobRecord.class);
                } catch (org.apache.camel.CamelExecutionException e) {
                    // refused on its way to a job (a job URL on a host not allowed): bad input, like any other
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        if (t instanceof InvalidRequestException invalid) {
                            System.err.println("soar-deferred: invalid request: " + invalid.getMessage());
                            return ExitCodes.BAD_INPUT;
                        }
                    }
                    throw e;
                }
                out.printf("%s: %s%s%n", request.name(), request.describe(),
                        job.name.equals(request.name()) ? "" : ", the same request as " + job.name + "; waiting for it");
                Thread main = Thread.currentThread();
                Thread hook = new Thread(() -> {
                    System.err.printf("%nInterrupted. The job is stored; continue it with: java -jar target/soar-deferred.jar resume%n");
                    main.interrupt();
                });
                Runtime.getRuntime().addShutdownHook(hook);
                JobRecord done = options.watcher(run, out).watch(job.id);
                Runtime.getRuntime().removeShutdownHook(hook);
                return report(done, run.outboxes(), out);
            }
        }

        private SoarRequest request() {
            if (source.file != null) {
                SoarRequest r = new QueryFileReader(1024 * 1024).read(source.file.toString());
                return new SoarRequest(name != null ? name : r.name(), r.dataItemIds(), r.query(),
                        productType != null ? productType : r.productType(),
                        retrievalType != null ? retrievalType : r.retrievalType());
            }
            if (source.jobUrl != null) {
                String last = source.jobUrl.replaceAll("[/?#]+$", "").replaceAll(".*/", "");
                return SoarRequest.attach(name != null ? name : last.isEmpty() ? "soar-job" : last, source.jobUrl);
            }
            String n = name != null ? name : source.ids != null && source.ids.size() == 1 ? source.ids.get(0) : "soar-request";
            return new SoarRequest(n, source.ids == null ? List.of() : source.ids.stream().map(String::strip).toList(),
                    source.adql, productType, retrievalType);
        }
    }

    static int report(JobRecord job, Outboxes outboxes, PrintStream out) {
        Outbox outbox = outboxes.of(job);
        if (job.status == JobStatus.DELIVERED) {
            for (ResultRecord r : job.results) {
                Map<String, Object> took = org.soardeferred.transfer.TransferSummary.of(r);
                out.printf("Delivered %s (%d bytes%s, sha256 %s)%n", outbox.location(r.file), r.bytes, took == null ? ""
                        : String.format(java.util.Locale.ROOT, " in %.2f s at %.1f MB/s", ((Number) took.get("seconds")).doubleValue(),
                        took.get("averageBytesPerSecond") == null ? 0.0 : ((Number) took.get("averageBytesPerSecond")).longValue() / 1e6),
                        r.sha256);
            }
            out.printf("Manifest %s%n", outbox.location(job.outputName + ".json"));
            return ExitCodes.OK;
        }
        System.err.println("soar-deferred: " + job.name + " failed: " + job.error);
        return ExitCodes.of(job.errorKind);
    }

    /** The jobs in the store as a table. */
    @Command(name = "jobs", mixinStandardHelpOptions = true, description = "List the jobs in the job store.")
    static class Jobs implements Callable<Integer> {
        @Option(names = {"-v", "--verbose"}, description = "Show the service's log.")
        boolean verbose;

        @Override
        public Integer call() {
            quietLogs(verbose);
            Map<String, String> overrides = Map.of("soar.inbox.enabled", "false", "soar.recover.enabled", "false",
                    "camel.main.routes-collector-enabled", "false");
            try (ServiceRun run = ServiceRun.start(overrides, false)) {
                System.out.print(table(run.store().all()));
            }
            return ExitCodes.OK;
        }
    }

    static String table(List<JobRecord> jobs) {
        StringBuilder s = new StringBuilder(String.format("%-24s %-10s %-10s %12s %8s  %s%n", "NAME", "STATUS", "PHASE", "BYTES", "AGE", "SOAR JOB"));
        for (JobRecord j : jobs) {
            long bytes = j.results.stream().mapToLong(r -> r.bytes).sum();
            s.append(String.format("%-24s %-10s %-10s %12d %8s  %s%n", abbreviate(j.name, 24), j.status,
                    j.phase == null ? "-" : j.phase, bytes,
                    Durations.format(Duration.between(j.createdAt, java.time.Instant.now())),
                    j.remoteJobId == null ? "-" : j.remoteJobId));
        }
        if (jobs.isEmpty()) {
            s.append("(no jobs)\n");
        }
        return s.toString();
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    /** Carries every unfinished job to its end, then exits. */
    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Continue the unfinished jobs of the store, then exit.")
    static class Resume implements Callable<Integer> {
        @Mixin
        RunOptions options;

        @Override
        public Integer call() throws Exception {
            quietLogs(options.verbose);
            try (ServiceRun run = ServiceRun.start(Map.of("soar.inbox.enabled", "false"), options.demo)) {
                JobStore store = run.store();
                List<JobRecord> unfinished = store.unfinished();
                if (unfinished.isEmpty()) {
                    System.out.println("No unfinished jobs.");
                    return ExitCodes.OK;
                }
                JobWatcher watcher = options.watcher(run, System.out);
                int code = ExitCodes.OK;
                for (JobRecord job : unfinished) {
                    int c = report(watcher.watch(job.id), run.outboxes(), System.out);
                    code = code == ExitCodes.OK ? c : code;
                }
                return code;
            }
        }
    }

    /** The version from the jar's manifest. */
    static class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SoarCommand.class.getPackage().getImplementationVersion();
            if (v == null) {
                v = System.getProperty("soar.version"); // the container image: classes and libraries, no jar
            }
            return new String[] {"soar-deferred " + (v == null ? "(development build)" : v),
                    "Apache Camel " + camelVersion() + ", Java " + System.getProperty("java.version")};
        }

        /** As Camel itself finds its version: from its engine's Maven properties (kept in the jar and the image). */
        private static String camelVersion() {
            try (var in = CamelContext.class.getResourceAsStream(
                    "/META-INF/maven/org.apache.camel/camel-base-engine/pom.properties")) {
                var properties = new java.util.Properties();
                if (in != null) {
                    properties.load(in);
                }
                return properties.getProperty("version", "(version unknown)");
            } catch (java.io.IOException e) {
                return "(version unknown)";
            }
        }
    }
}
