package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.soardeferred.simulator.ArchivedFile;
import org.soardeferred.simulator.SoarSimulator;

/**
 * The web console in a real browser: Debian's chromium, headless, driven by Selenium through Debian's chromedriver,
 * against the packaged jar and the SOAR simulator.
 */
class ConsoleIT {

    private static final String TOKEN = "console-token-for-tests";

    @TempDir
    Path root;
    SoarSimulator soar;
    ServiceProcess app;
    ChromeDriver browser;
    String base;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void startSimulator() {
        soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(64 * 1024).timing(200, 500).start(0);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (browser != null) {
            browser.quit();
        }
        if (app != null) {
            app.close();
        }
        soar.close();
    }

    /** The packaged jar with its API on a free port, ready once the API answers (200, or 401 with a token). */
    private void startService(Map<String, String> env) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(root.resolve("svc"));
        app = new ServiceProcess(root.resolve("svc"), soar.baseUrl()).env("SOAR_HTTP_ENABLED", "true")
                .env("SOAR_HTTP_PORT", Integer.toString(port));
        env.forEach(app::env);
        app.start();
        base = "http://127.0.0.1:" + port;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> List.of(200, 401).contains(http.send(HttpRequest.newBuilder(URI.create(base + "/api/requests")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode()));
        browser = chrome();
    }

    private ChromeDriver chrome() throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1100",
                "--user-data-dir=" + Files.createDirectories(root.resolve("chromium-profile")));
        ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        return new ChromeDriver(driver, options);
    }

    /** The jobs table as the page shows it now: name, status, phase, bytes done and the progress bar's value and max. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> rows() {
        return (List<Map<String, Object>>) ((JavascriptExecutor) browser).executeScript(
                "return Array.from(document.querySelectorAll('#jobs tbody tr')).map(r => ({"
                        + "name: r.querySelector('td.name').textContent, status: r.querySelector('td.status').textContent,"
                        + "phase: r.querySelector('td.phase').textContent, done: Number(r.querySelector('progress').dataset.bytesDone),"
                        + "value: r.querySelector('progress').value, max: r.querySelector('progress').max,"
                        + "rate: r.querySelector('td.rate').textContent}))");
    }

    private Map<String, Object> row(String name) {
        return rows().stream().filter(r -> name.equals(r.get("name"))).findFirst().orElse(null);
    }

    /**
     * Waits for the page: what is looked for may not be there yet (the first answers of the API not in) or be replaced
     * while it is read (the page redraws every second).
     */
    private static org.awaitility.core.ConditionFactory page(int seconds) {
        return await().atMost(Duration.ofSeconds(seconds)).ignoreExceptionsInstanceOf(org.openqa.selenium.WebDriverException.class);
    }

    /** Clicks what the selector finds, again if the page replaced it meanwhile (it redraws every second). */
    private void click(By selector) {
        page(20).until(() -> {
            WebElement e = browser.findElement(selector);
            if (!e.isDisplayed()) {
                return false;
            }
            e.click();
            return true;
        });
    }

    @Test
    void aDroppedFileAppearsAndReachesDeliveredWithItsProgressMoving() throws Exception {
        // a package of 8 MiB sent at 1.5 MiB/s: five seconds of download, several polls of the page
        soar.itemBytes(8L << 20).throttle(3L << 19);
        startService(Map.of());
        browser.get(base + "/");
        assertThat(browser.getCurrentUrl()).endsWith("/console/");

        app.drop("moving.ids", "solo_L2_mag-rtn-normal_20230101");

        TreeSet<Long> seen = new TreeSet<>();
        page(60).pollInterval(Duration.ofMillis(200)).until(() -> {
            Map<String, Object> r = row("moving");
            if (r != null && "FETCHING".equals(r.get("status"))) {
                seen.add(((Number) r.get("done")).longValue());
            }
            return r != null && "DELIVERED".equals(r.get("status"));
        });
        Map<String, Object> delivered = row("moving");
        long total = ((Number) delivered.get("max")).longValue();
        assertThat(total).as("the package's size").isGreaterThan(8L << 20);
        assertThat(((Number) delivered.get("value")).longValue()).isEqualTo(total);
        assertThat(seen.stream().filter(b -> b > 0 && b < total)).as("bytes shown while it downloaded: " + seen).hasSizeGreaterThanOrEqualTo(2);
        assertThat((String) delivered.get("rate")).endsWith("/s avg");

        click(By.cssSelector("#jobs tbody tr[data-status='DELIVERED']"));
        page(20).until(() -> browser.findElement(By.id("detail-manifest")).getText().contains("\"sha256\""));
        assertThat(browser.findElement(By.id("detail-phases")).getText()).contains("QUEUED").contains("COMPLETED"); // EXECUTING lasts 0.5 s: a loaded machine may poll past it
        assertThat(browser.findElement(By.id("detail-results")).getText()).contains(
                soar.packageSha256(soar.jobIds().get(0)).values().iterator().next());
        assertThat(browser.findElement(By.id("abort")).isDisplayed()).as("no abort for a delivered job").isFalse();
        page(20).until(() -> browser.findElement(By.id("health-soar")).getText().contains("logged in"));
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "console.png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void abortOnALongJobEndsItAborted() throws Exception {
        soar.timing(200, 120_000);
        startService(Map.of());
        browser.get(base + "/console/");
        app.drop("long.ids", "solo_L2_long_20200820");
        page(30).until(() -> {
            Map<String, Object> r = row("long");
            return r != null && "EXECUTING".equals(r.get("phase"));
        });

        click(By.cssSelector("#jobs tbody tr[data-status='SUBMITTED']"));
        click(By.id("abort"));

        page(30).until(() -> {
            Map<String, Object> r = row("long");
            return "FAILED".equals(r.get("status")) && "ABORTED".equals(r.get("phase"));
        });
        assertThat(soar.requests()).anyMatch(r -> r.method().equals("POST") && r.path().endsWith("/phase"));
        page(10).until(() -> browser.findElement(By.id("detail-error")).getText().contains("ABORTED"));
    }

    @Test
    void aMirrorsRunNowStartsARun() throws Exception {
        soar.archive(ArchivedFile.of("solo_L2_mag-rtn-normal_20240101", "V01", 10_000, "2024-03-01T10:00:00.000"),
                ArchivedFile.of("solo_L2_mag-rtn-normal_20240102", "V01", 10_000, "2024-03-02T10:00:00.000"));
        Path mirrors = Files.writeString(root.resolve("mirrors.yaml"), """
                mirrors:
                  - name: mag-l2
                    instrument: MAG
                    level: L2
                    descriptors: [mag-rtn-normal]
                """);
        startService(Map.of("SOAR_MIRRORS", mirrors.toString()));
        browser.get(base + "/console/");
        page(20).until(() -> browser.findElement(By.cssSelector("#mirrors tbody tr[data-name='mag-l2'] td.last-run"))
                .getText().equals("never"));
        assertThat(soar.requests()).noneMatch(r -> r.path().endsWith("/tap/sync"));

        click(By.cssSelector("#mirrors tbody tr[data-name='mag-l2'] button.run-now"));

        page(20).until(() -> browser.findElement(By.id("mirror-result")).getText().contains("run started"));
        page(60).until(() ->
                browser.findElement(By.cssSelector("#mirrors tbody tr[data-name='mag-l2'] td.present")).getText().equals("2"));
        assertThat(browser.findElement(By.cssSelector("#mirrors tbody tr[data-name='mag-l2'] td.last-run")).getText())
                .contains("2 listed").contains("1 request(s)");
        assertThat(soar.requests()).anyMatch(r -> r.path().endsWith("/tap/sync"));
        assertThat(rows()).anyMatch(r -> ((String) r.get("name")).startsWith("mag-l2-"));
    }

    @Test
    void withATokenNoDataIsShownBeforeItIsGiven() throws Exception {
        startService(Map.of("SOAR_HTTP_TOKEN", TOKEN));
        app.drop("confidential.ids", "solo_L2_mag_20200820");
        await().atMost(Duration.ofSeconds(30)).until(() -> http.send(HttpRequest.newBuilder(URI.create(base + "/api/requests"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body().contains("DELIVERED"));

        browser.get(base + "/console/");
        page(20).until(() -> browser.findElement(By.id("token-input")).isDisplayed());
        assertThat(browser.findElement(By.id("data")).isDisplayed()).isFalse();
        assertThat(browser.getPageSource()).doesNotContain("confidential").doesNotContain("DELIVERED</td>");
        assertThat(rows()).isEmpty();

        browser.findElement(By.id("token-input")).sendKeys("not-the-token");
        click(By.id("token-submit"));
        page(20).until(() -> browser.findElement(By.id("token-error")).getText().contains("refused"));
        assertThat(browser.getPageSource()).doesNotContain("confidential");
        assertThat(browser.findElement(By.id("data")).isDisplayed()).isFalse();

        browser.findElement(By.id("token-input")).sendKeys(TOKEN);
        click(By.id("token-submit"));
        page(20).until(() -> row("confidential") != null);
        assertThat(row("confidential").get("status")).isEqualTo("DELIVERED");
        assertThat(browser.findElement(By.id("login")).isDisplayed()).isFalse();
    }

    @Test
    void namesAndMessagesAreShownAsTextAndNeverRunAsMarkup() throws Exception {
        startService(Map.of());
        String name = "<img src=x id=injected onerror=\"document.title='pwned'\">";
        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(base + "/api/requests"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ids\": [\"solo_L2_sim_error_20200101\"], \"name\": \""
                        + name.replace("\"", "\\\"") + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);

        browser.get(base + "/console/");
        page(30).until(() -> {
            Map<String, Object> r = row(name);
            return r != null && "FAILED".equals(r.get("status"));
        });
        click(By.cssSelector("#jobs tbody tr[data-status='FAILED']"));
        page(20).until(() -> browser.findElement(By.id("detail-name")).getText().equals(name));
        assertThat(browser.findElements(By.id("injected"))).isEmpty();
        assertThat(browser.findElements(By.cssSelector("#data img"))).isEmpty();
        assertThat(browser.getTitle()).isEqualTo("soar-deferred console");
        assertThat(browser.findElement(By.id("detail-error")).getText()).contains("ERROR");
        List<String> names = new ArrayList<>();
        rows().forEach(r -> names.add((String) r.get("name")));
        assertThat(names).containsExactly(name);

        // a link to a job this service does not have shows no job, and no failure either
        browser.get(base + "/console/?again#job=no-such-job");
        page(20).until(() -> browser.findElement(By.id("connection")).getText().startsWith("Updated"));
        assertThat(browser.findElement(By.id("job-detail")).isDisplayed()).isFalse();
        assertThat(rows()).hasSize(1);
    }
}
