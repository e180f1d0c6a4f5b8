package org.soardeferred.uws;

/** The server answered with something that is not a UWS job document (an HTML page, a VOTable error, …). */
public class NotAUwsJobException extends RuntimeException {

    public NotAUwsJobException(String what, String received) {
        super(what + "; the server sent: " + quote(received));
    }

    /** The first few hundred characters of a reply, on one line, for an error message. */
    public static String quote(String received) {
        if (received == null || received.isBlank()) {
            return "(an empty reply)";
        }
        String flat = received.replaceAll("\\s+", " ").trim();
        return "\"" + (flat.length() > 300 ? flat.substring(0, 300) + "…" : flat) + "\"";
    }
}
