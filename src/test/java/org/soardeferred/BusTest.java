package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;

/**
 * The integration bus through a real message broker started in-process (ActiveMQ Artemis, embedded): requests
 * in the API's JSON arrive on a JMS queue (with a reply for request-reply messages), and every job transition is
 * published as a JSON event.
 */
class BusTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;
    SoarSimulator soar;
    EmbeddedActiveMQ broker;
    String brokerUrl;
    RunningService service;
    Connection client;

    @BeforeEach
    void start() throws Exception {
        soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(128 * 1024).timing(100, 300).start(0);
        int port = freePort();
        brokerUrl = "tcp://127.0.0.1:" + port;
        broker = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl().setPersistenceEnabled(false)
                .setSecurityEnabled(false).setJournalDirectory(root.resolve("journal").toString())
                .addAcceptorConfiguration("tcp", brokerUrl));
        broker.start();
        service = RunningService.start(root.resolve("service"), soar.baseUrl(), Map.of("soar.jms.broker-url", brokerUrl,
                "soar.trigger.uri", "jms:queue:soar.requests", "soar.events.uri", "jms:queue:soar.events"));
        client = new ActiveMQConnectionFactory(brokerUrl).createConnection();
        client.start();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        service.close();
        broker.stop();
        soar.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRequestOnTheQueueIsRepliedToAndItsTransitionsArePublishedUntilCompletedWithTheManifest() throws Exception {
        try (Session session = client.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            TemporaryQueue replies = session.createTemporaryQueue();
            TextMessage request = session.createTextMessage("{\"ids\": [\"solo_L2_mag-rtn-normal_20230101\"], \"name\": \"bus\"}");
            request.setJMSReplyTo(replies);
            session.createProducer(session.createQueue("soar.requests")).send(request);

            Message reply = session.createConsumer(replies).receive(20_000);
            assertThat(reply).as("a reply to a request-reply message").isNotNull();
            JsonNode accepted = JSON.readTree(((TextMessage) reply).getText());
            assertThat(accepted.path("name").asText()).isEqualTo("bus");
            String id = accepted.path("id").asText();

            List<JsonNode> events = new ArrayList<>();
            MessageConsumer consumer = session.createConsumer(session.createQueue("soar.events"));
            while (events.stream().noneMatch(e -> e.path("type").asText().equals("completed"))) {
                Message m = consumer.receive(30_000);
                assertThat(m).as("an event; so far: %s", events).isNotNull();
                events.add(JSON.readTree(((TextMessage) m).getText()));
            }
            assertThat(events).allMatch(e -> e.path("id").asText().equals(id));
            assertThat(events).extracting(e -> e.path("type").asText())
                    .containsSubsequence("accepted", "submitted", "downloading", "completed");
            assertThat(events).anyMatch(e -> e.path("type").asText().equals("phase") && e.path("phase").asText().equals("COMPLETED"));
            JsonNode completed = events.get(events.size() - 1);
            String served = soar.packageSha256(completed.path("jobId").asText()).values().iterator().next();
            assertThat(completed.path("manifest").path("results").get(0).path("sha256").asText()).isEqualTo(served);
            assertThat(completed.path("manifestLocation").asText()).endsWith("bus.json");
        }
    }

    @Test
    void aMalformedRequestOnTheQueueGetsTheReasonAndNothingIsSubmitted() throws Exception {
        try (Session session = client.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            TemporaryQueue replies = session.createTemporaryQueue();
            Queue requests = session.createQueue("soar.requests");
            TextMessage bad = session.createTextMessage("{\"ids\": 42}");
            bad.setJMSReplyTo(replies);
            session.createProducer(requests).send(bad);

            Message reply = session.createConsumer(replies).receive(20_000);
            assertThat(reply).isNotNull();
            assertThat(((TextMessage) reply).getText()).contains("\"status\":400").contains("ids must be a list of strings");
            assertThat(soar.submits()).isZero();
        }
    }
}
