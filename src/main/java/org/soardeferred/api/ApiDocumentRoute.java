package org.soardeferred.api;

import org.apache.camel.model.ModelLifecycleStrategySupport;
import org.apache.camel.model.RouteDefinition;

/**
 * The REST API's routes are on while {@code soar.http.enabled} is true: each says so in its YAML
 * ({@code autoStartup: "{{soar.http.enabled}}"}). The one route YAML cannot reach is the one the REST DSL makes itself
 * for the OpenAPI document ({@code apiContextPath}): it gets the same switch here, as its definition is added.
 */
public final class ApiDocumentRoute extends ModelLifecycleStrategySupport {

    static final String SWITCH = "{{soar.http.enabled}}";

    @Override
    public void onAddRouteDefinition(RouteDefinition route) {
        if (route.getInput() != null && route.getInput().getEndpointUri().startsWith("rest-api:")) {
            route.setAutoStartup(SWITCH);
        }
    }
}
