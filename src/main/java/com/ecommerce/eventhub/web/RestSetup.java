package com.ecommerce.eventhub.web;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;

import org.springframework.stereotype.Component;

/**
 * The one REST configuration of the hub's API routes: camel-platform-http on the Spring
 * Boot server, no automatic binding (each route reads and writes its JSON itself, see
 * {@link HttpAnswers}).
 */
@Component
class RestSetup extends RouteBuilder {

	@Override
	public void configure() {
		restConfiguration().component("platform-http").bindingMode(RestBindingMode.off);
	}

}
