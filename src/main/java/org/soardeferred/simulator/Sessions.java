package org.soardeferred.simulator;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpExchange;

/**
 * SOAR's form login: the accounts, the sessions handed out in a cookie ({@code SESSION} since 2025, JSESSIONID
 * before), and whose session a request carries. A session is {@code <token>:<user>}.
 */
final class Sessions {

    private final Map<String, String> users = new ConcurrentHashMap<>();
    private final Set<String> open = ConcurrentHashMap.newKeySet();
    private final SecureRandom random = new SecureRandom();
    volatile String cookieName = "SESSION";
    /** Whether job documents and results answer 401 without a session, as SOAR's do. */
    volatile boolean requiredForJobs = true;

    void user(String username, String password) {
        users.put(username, password);
    }

    /** Forgets every session, as SOAR does when sessions expire. */
    void expireAll() {
        open.clear();
    }

    /** {@code POST /login} with a username and password form: a new session in the cookie, or 401. */
    void login(HttpExchange ex) throws IOException {
        Map<String, String> form = Exchanges.form(ex, false);
        String user = form.get("username");
        String expected = user == null ? null : users.get(user);
        if (expected == null || !expected.equals(form.get("password"))) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"SOAR\"");
            Exchanges.send(ex, 401, "text/plain", "Unauthorized");
            return;
        }
        byte[] token = new byte[16];
        random.nextBytes(token);
        String session = HexFormat.of().formatHex(token) + ":" + user;
        open.add(session);
        ex.getResponseHeaders().add("Set-Cookie",
                cookieName + "=" + session + "; Path=" + SoarSimulator.CONTEXT + "; HttpOnly");
        Exchanges.send(ex, 200, "text/plain", "");
    }

    /** {@code POST /logout}: ends the request's session. */
    void logout(HttpExchange ex) throws IOException {
        of(ex).ifPresent(open::remove);
        Exchanges.send(ex, 200, "text/plain", "");
    }

    /** The open session the request's cookie names, if any. */
    Optional<String> of(HttpExchange ex) {
        return of(ex.getRequestHeaders().getOrDefault("Cookie", List.of()));
    }

    /** The open session a {@code Cookie} header (null: none) names, if any. */
    Optional<String> ofCookie(String header) {
        return of(header == null ? List.of() : List.of(header));
    }

    private Optional<String> of(List<String> headers) {
        for (String header : headers) {
            for (String cookie : header.split(";")) {
                String c = cookie.strip();
                if (c.startsWith(cookieName + "=") && open.contains(c.substring(cookieName.length() + 1))) {
                    return Optional.of(c.substring(cookieName.length() + 1));
                }
            }
        }
        return Optional.empty();
    }

    /** Whether a request with this session (or none) is refused a job's document or results. */
    boolean refusesJobs(Optional<String> session) {
        return requiredForJobs && session.isEmpty();
    }

    /** The user a session belongs to. */
    static String owner(String session) {
        return session.substring(session.indexOf(':') + 1);
    }
}
