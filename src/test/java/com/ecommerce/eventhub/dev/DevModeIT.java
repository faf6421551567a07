package com.ecommerce.eventhub.dev;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.ecommerce.eventhub.support.HubHttp;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Dev mode as a new user runs it: it starts with nothing but embedded services, prints a
 * key, takes the spec's {@code order.placed} with that key and shows the confirmation
 * mail in its embedded inbox; the shipped routes are loaded and their webhook lands in
 * the embedded receiver. It never touches the installed PostgreSQL or RabbitMQ.
 */
@ExtendWith(OutputCaptureExtension.class)
class DevModeIT {

	private static final Pattern PRINTED_KEY = Pattern.compile("Dev API key: (\\S+)");

	@Test
	void theSpecsOrderPlacedBecomesAMailInTheEmbeddedInbox(CapturedOutput output) throws Exception {
		int httpPort = freePort();
		int postgresPort;
		int brokerPort;
		try (ConfigurableApplicationContext hub = TestEventHubApplication.start("--server.port=" + httpPort,
				"--dev.postgres.port=0", "--dev.amqp.port=0", "--dev.smtp.port=0", "--dev.webhooks.port=0")) {
			Matcher printed = PRINTED_KEY.matcher(output.getOut());
			assertThat(printed.find()).as("the printed dev key").isTrue();
			String key = printed.group(1);

			postgresPort = serverPort(hub.getBean(DataSource.class));
			brokerPort = hub.getBean(CachingConnectionFactory.class).getPort();
			assertThat(postgresPort).isNotEqualTo(5432);
			assertThat(brokerPort).isNotEqualTo(5672);
			assertThat(brokerProduct(hub.getBean(RabbitTemplate.class))).containsIgnoringCase("qpid");

			HubHttp http = new HubHttp(httpPort);
			assertThat(http.post("/api/v1/events", key, "application/json", example("order.placed")).statusCode())
				.isEqualTo(202);
			JsonNode mail = await().atMost(Duration.ofSeconds(60))
				.until(() -> HubHttp.json(http.get("/dev/mails", key)), mails -> mails.size() > 0)
				.get(0);
			assertThat(mail.get("to").get(0).asText()).isEqualTo("buyer@example.com");
			assertThat(mail.get("subject").asText()).contains("ORD-2025-11-000123");
			assertThat(mail.get("text").asText()).contains("ORD-2025-11-000123");
			await().atMost(Duration.ofSeconds(5))
				.until(() -> output.getOut()
					.contains("Dev mail received: \"" + mail.get("subject").asText() + "\" to buyer@example.com"));
			assertThat(http.get("/dev/mails", null).statusCode()).isEqualTo(401);

			assertThat(HubHttp.json(http.get("/api/v1/routes", key)).toString())
				.contains("inventory-webhook-forwarder");
			assertThat(
					http.post("/api/v1/events", key, "application/json", example("inventory.restocked")).statusCode())
				.isEqualTo(202);
			JsonNode call = await().atMost(Duration.ofSeconds(60))
				.until(() -> HubHttp.json(http.get("/dev/webhooks", key)), calls -> calls.size() > 0)
				.get(0);
			assertThat(call.get("eventType").asText()).isEqualTo("inventory.restocked");
			assertThat(call.get("path").asText()).isEqualTo("/inventory-events");
		}
		assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), postgresPort).close())
			.as("PostgreSQL stopped with the hub")
			.isInstanceOf(IOException.class);
		assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), brokerPort).close())
			.as("the broker stopped with the hub")
			.isInstanceOf(IOException.class);
	}

	private static int serverPort(DataSource dataSource) throws Exception {
		try (Connection connection = dataSource.getConnection();
				ResultSet result = connection.createStatement().executeQuery("SELECT inet_server_port()")) {
			result.next();
			return result.getInt(1);
		}
	}

	private static String brokerProduct(RabbitTemplate rabbit) {
		return rabbit.execute(channel -> String.valueOf(channel.getConnection().getServerProperties().get("product")));
	}

	private static String example(String eventType) throws IOException {
		try (InputStream in = DevModeIT.class.getResourceAsStream("/examples/" + eventType + ".json")) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
