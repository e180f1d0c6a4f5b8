package org.soardeferred.soar;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import org.apache.hc.client5.http.cookie.BasicCookieStore;
import org.apache.hc.client5.http.cookie.Cookie;
import org.apache.hc.client5.http.cookie.CookieStore;

/**
 * The login session with SOAR: the credentials (from the environment or configuration only) and the cookie
 * store the HTTP endpoints share. SOAR's session cookie is {@code SESSION} since 2025 and {@code JSESSIONID}
 * before; whatever the server sets is kept. The store holds only cookies set by the SOAR host, and HttpClient
 * sends a host-only cookie back to that host alone, so a result on another host never receives it.
 */
public class SoarSession {

    private final String username;
    private final String password;
    private final String soarHost;
    private final CookieStore cookies;

    public SoarSession(String username, String password, String soarHost) {
        this.username = username == null || username.isBlank() ? null : username.strip();
        this.password = password == null || password.isEmpty() ? null : password;
        this.soarHost = soarHost;
        this.cookies = new SoarHostCookieStore(soarHost);
    }

    public boolean hasCredentials() {
        return username != null && password != null;
    }

    /** The form body of {@code POST {base}/login}; never logged. */
    public String loginForm() {
        if (!hasCredentials()) {
            throw new MissingCredentialsException();
        }
        return "username=" + URLEncoder.encode(username, StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
    }

    /**
     * Before a call to SOAR: true when a login is due, i.e. no live session is held and the job's URL (if it has
     * one yet) is on SOAR; a job attached on another UWS server needs no SOAR login.
     */
    public boolean needsLogin(String jobUrl) {
        if (jobUrl != null) {
            String host = java.net.URI.create(jobUrl).getHost();
            if (host == null || !host.equalsIgnoreCase(soarHost)) {
                return false;
            }
        }
        return !isLoggedIn();
    }

    /** True when SOAR has given us a session cookie that has not expired. */
    public boolean isLoggedIn() {
        cookies.clearExpired(new java.util.Date());
        return !cookies.getCookies().isEmpty();
    }

    /** Checks the answer to the login form: 200 with a session cookie, or a clear error. */
    public void checkLogin(int status) {
        if (status == 401 || status == 403) {
            logout();
            throw new SoarLoginException("SOAR refused the login of user '" + username + "' (HTTP " + status
                    + "): check SOAR_USERNAME and SOAR_PASSWORD");
        }
        if (status < 200 || status >= 300) {
            throw SoarReplies.failure(status, "the SOAR login", "");
        }
        if (!isLoggedIn()) {
            throw new SoarLoginException("SOAR accepted the login (HTTP " + status + ") but set no session cookie");
        }
    }

    /** Forgets the session, e.g. after SOAR answered 401 to a request made with it. */
    public void logout() {
        cookies.clear();
    }

    public String cookieNames() {
        return String.join(",", cookies.getCookies().stream().map(Cookie::getName).toList());
    }

    public CookieStore cookieStore() {
        return cookies;
    }

    public String username() {
        return username;
    }

    @Override
    public String toString() {
        return "SoarSession[user=" + username + ", host=" + soarHost + ", loggedIn=" + isLoggedIn() + "]";
    }

    /** A cookie store that keeps only cookies for the SOAR host: nothing another host sets is ever replayed. */
    static final class SoarHostCookieStore extends BasicCookieStore {
        private final String host;

        SoarHostCookieStore(String host) {
            this.host = host;
        }

        @Override
        public synchronized void addCookie(Cookie cookie) {
            if (cookie != null && host.equalsIgnoreCase(cookie.getDomain())) {
                super.addCookie(cookie);
            }
        }
    }
}
