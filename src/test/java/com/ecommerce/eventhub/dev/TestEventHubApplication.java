package com.ecommerce.eventhub.dev;

import java.util.Map;

import com.ecommerce.eventhub.EventHubApplication;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Dev mode: the whole hub on a machine with nothing installed, {@code ./mvnw
 * spring-boot:test-run}. PostgreSQL (zonky), an AMQP 0-9-1 broker (Qpid Broker-J), an
 * SMTP server (GreenMail) and a webhook receiver run embedded on ports of their own
 * ({@link DevServices}); the hub is pointed at them with a generated admin key it prints.
 * All of it is test scope: nothing embedded ships in the production jar, and the
 * production settings never fall back to it.
 * <p>
 * {@code @SpringBootApplication} is what {@code spring-boot:test-run} looks for among the
 * test classes' main methods (the benchmarks have some too); {@code @TestComponent} keeps
 * the integration tests' component scans from picking this class up.
 */
@SpringBootApplication(proxyBeanMethods = false)
@TestComponent
public class TestEventHubApplication {

	public static void main(String[] args) {
		start(args);
	}

	/**
	 * Starts the embedded services and the hub on them; closing the context stops both.
	 * @param args command-line arguments, e.g. {@code --server.port=8081} or
	 * {@code --dev.postgres.port=0} (any free port)
	 * @return the running hub
	 */
	public static ConfigurableApplicationContext start(String... args) {
		SpringApplication hub = new SpringApplication(EventHubApplication.class, TestEventHubApplication.class);
		hub.addListeners(new DevServicesStarter());
		// Logging levels must be known before the services start and log.
		hub.setDefaultProperties(Map.of("logging.level.io.zonky", "WARN", "logging.level.org.apache.qpid", "WARN",
				"logging.level.qpid", "WARN"));
		return hub.run(args);
	}

	/**
	 * {@code GET /dev/mails} (any valid key): what the embedded SMTP server received,
	 * newest first. {@code GET /dev/webhooks}: what the embedded webhook receiver got.
	 * @param services the embedded services
	 * @return the endpoints
	 */
	@Bean
	RouterFunction<ServerResponse> devEndpoints(DevServices services) {
		return RouterFunctions.route()
			.GET("/dev/mails", request -> ServerResponse.ok().body(services.inbox().mails()))
			.GET("/dev/webhooks", request -> ServerResponse.ok().body(services.webhooks().calls()))
			.build();
	}

}
