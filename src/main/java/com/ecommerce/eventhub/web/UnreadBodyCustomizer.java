package com.ecommerce.eventhub.web;

import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Makes Tomcat answer {@code Expect: 100-continue} only when the application starts
 * reading the body. A request the hub refuses before reading (401, 413, 415) then gets
 * its final answer at once, and a well-behaved client never sends the refused body.
 * Spring Boot has no property for it. A refused body is not waited for afterwards either
 * ({@link RefusedBodyValve}).
 */
@Component
class UnreadBodyCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

	@Override
	public void customize(TomcatServletWebServerFactory factory) {
		factory.addConnectorCustomizers(connector -> connector.setProperty("continueResponseTiming", "onRead"));
		factory.addContextValves(new RefusedBodyValve());
	}

}
