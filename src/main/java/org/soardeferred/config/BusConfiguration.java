package org.soardeferred.config;

import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.jms.JmsComponent;

/**
 * The message bus: with soar.jms.broker-url set, the jms component (of soar.trigger.uri / soar.events.uri =
 * jms:queue:...) talks to that broker (ActiveMQ Artemis, or any broker speaking its core protocol).
 */
public class BusConfiguration implements CamelConfiguration {

    @PropertyInject(value = "soar.jms.broker-url", defaultValue = "")
    String brokerUrl;
    @PropertyInject(value = "soar.jms.user", defaultValue = "")
    String user;
    @PropertyInject(value = "soar.jms.password", defaultValue = "")
    String password;

    @Override
    public void configure(CamelContext context) {
        if (!brokerUrl.isBlank()) {
            context.getComponent("jms", JmsComponent.class).setConnectionFactory(new ActiveMQConnectionFactory(
                    brokerUrl.strip(), Settings.emptyToNull(user), Settings.emptyToNull(password)));
        }
    }
}
