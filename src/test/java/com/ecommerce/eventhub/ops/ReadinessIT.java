package com.ecommerce.eventhub.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.TcpProxy;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Readiness follows RabbitMQ (reached through a proxy the test cuts) and names the
 * failing dependency.
 */
@HubIntegrationTest(properties = { "hub.relay.enabled=false", "spring.rabbitmq.connection-timeout=1s",
		"hub.security.api-keys[0].name=operator", "hub.security.api-keys[0].key=" + ReadinessIT.ADMIN_KEY,
		"hub.security.api-keys[0].admin=true" })
class ReadinessIT {

	static final String ADMIN_KEY = "ready-admin-key-0123456789";

	static final TestTopology topology = TestTopology.of(ReadinessIT.class);

	static final TcpProxy broker = startProxy();

	@DynamicPropertySource
	static void hubProperties(DynamicPropertyRegistry registry) {
		registry.add("spring.rabbitmq.host", () -> "127.0.0.1");
		registry.add("spring.rabbitmq.port", broker::port);
	}

	@AfterAll
	static void cleanup() throws Exception {
		broker.close();
	}

	@LocalServerPort
	int port;

	@Test
	void readinessIsDownWhileRabbitMqIsUnreachableAndUpWhenItIsBack() throws Exception {
		HubHttp http = new HubHttp(this.port);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> http.get("/actuator/health/readiness", null).statusCode() == 200);

		broker.cut();
		await().atMost(Duration.ofSeconds(20))
			.until(() -> http.get("/actuator/health/readiness", null).statusCode() == 503);
		JsonNode anonymous = HubHttp.json(http.get("/actuator/health/readiness", null));
		assertThat(anonymous.get("status").asText()).isEqualTo("DOWN");
		assertThat(anonymous.has("components")).as("without a key: the status only").isFalse();
		HttpResponse<String> down = http.get("/actuator/health/readiness", ADMIN_KEY);
		JsonNode health = HubHttp.json(down);
		assertThat(health.get("status").asText()).isEqualTo("DOWN");
		assertThat(health.at("/components/rabbit/status").asText()).isEqualTo("DOWN");
		assertThat(health.at("/components/db/status").asText()).isEqualTo("UP");
		assertThat(http.get("/actuator/health/liveness", null).statusCode()).as("alive all the same").isEqualTo(200);

		broker.restore();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> http.get("/actuator/health/readiness", null).statusCode() == 200);
		assertThat(HubHttp.json(http.get("/actuator/health/readiness", ADMIN_KEY))
			.at("/components/rabbit/status")
			.asText()).isEqualTo("UP");
	}

	private static TcpProxy startProxy() {
		try {
			TestServices.requireRunning();
			return TcpProxy.start(TestServices.RABBIT_HOST, TestServices.RABBIT_PORT);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
