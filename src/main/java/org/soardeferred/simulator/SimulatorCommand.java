package org.soardeferred.simulator;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The options of {@link SoarSimulator#main}: a simulator configured and started from a command line. */
final class SimulatorCommand {

    /** A byte count with an optional binary unit: 4MB, 4M, 4MiB = 4 MiB; 512k; plain bytes. */
    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*(?:([KMG])I?)?B?");

    private SimulatorCommand() {
    }

    static SoarSimulator started(String... args) {
        SoarSimulator s = new SoarSimulator();
        int port = 0;
        long queued = 300;
        long executing = 700;
        String user = "demo";
        String password = "demo";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--bind" -> s.bind(args[++i]);
                case "--advertise" -> s.advertise(args[++i]);
                case "--user" -> user = args[++i];
                case "--password" -> password = args[++i];
                case "--item-bytes" -> s.itemBytes(Long.parseLong(args[++i]));
                case "--queued" -> queued = Long.parseLong(args[++i]);
                case "--executing" -> executing = Long.parseLong(args[++i]);
                case "--uws11" -> s.uws11(true);
                case "--sendfile" -> s.sendfileResults(true);
                case "--rate-per-connection" -> s.ratePerConnection(bytes(args[i], args[++i]));
                case "--total-rate" -> s.totalRate(bytes(args[i], args[++i]));
                case "--max-connections" -> s.maxConnectionsPerClient(Integer.parseInt(args[++i]));
                case "--ignore-range" -> s.ignoreRange(true);
                case "--no-accept-ranges" -> s.omitAcceptRanges(true);
                case "--no-content-length" -> s.omitContentLength(true);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return s.user(user, password).timing(queued, executing).start(port);
    }

    /** An option's byte count: 16MB (MB = MiB), 1GB, 512KB or plain bytes. */
    static long bytes(String option, String text) {
        Matcher m = BYTES.matcher(text.strip().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " " + text + " is not a size: use e.g. 16MB, 1GB or plain bytes");
        }
        int shift = m.group(2) == null ? 0 : 10 * ("KMG".indexOf(m.group(2)) + 1);
        return Long.parseLong(m.group(1)) << shift;
    }
}
