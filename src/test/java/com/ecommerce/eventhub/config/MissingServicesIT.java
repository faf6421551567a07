package com.ecommerce.eventhub.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import com.ecommerce.eventhub.support.HubInstance;
import com.ecommerce.eventhub.support.TestTopology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Production settings never fall back to anything: a hub whose database or broker is not
 * there does not start, and says which one and what to do, not a stack trace.
 */
@ExtendWith(OutputCaptureExtension.class)
class MissingServicesIT {

	private final TestTopology topology = TestTopology.unique("missing");

	@AfterEach
	void cleanup() throws Exception {
		this.topology.cleanup();
	}

	@Test
	void withoutItsDatabaseTheHubDoesNotStartAndSaysWhy(CapturedOutput output) throws IOException {
		int closed = closedPort();
		assertThatThrownBy(() -> HubInstance.start("missing-db", this.topology,
				Map.of("spring.datasource.url", "jdbc:postgresql://127.0.0.1:" + closed + "/postgres")))
			.isInstanceOf(RuntimeException.class);
		assertThat(output.getOut()).contains("APPLICATION FAILED TO START")
			.contains("Event Hub needs its PostgreSQL database and could not connect")
			.contains("127.0.0.1:" + closed)
			.contains("spring.datasource.url")
			.contains("./mvnw spring-boot:test-run");
	}

	@Test
	void withoutItsBrokerTheHubDoesNotStartAndSaysWhy(CapturedOutput output) throws IOException {
		int closed = closedPort();
		assertThatThrownBy(() -> HubInstance.start("missing-broker", this.topology,
				Map.of("spring.rabbitmq.addresses", "127.0.0.1:" + closed, "hub.topology.startup-wait", "2s")))
			.isInstanceOf(RuntimeException.class);
		assertThat(output.getOut()).contains("APPLICATION FAILED TO START")
			.contains("Event Hub needs RabbitMQ. RabbitMQ at 127.0.0.1:" + closed + " could not be reached within PT2S")
			.contains("spring.rabbitmq.addresses")
			.contains("./mvnw spring-boot:test-run");
	}

	@Test
	void aBrokerThatRefusesTheTopologyStopsTheStartToo(CapturedOutput output) throws Exception {
		// The dead-letter queue exists as a classic queue; the hub declares it as quorum.
		try (com.rabbitmq.client.Connection connection = com.ecommerce.eventhub.support.TestServices.rabbit()
			.newConnection(); com.rabbitmq.client.Channel channel = connection.createChannel()) {
			channel.queueDeclare(this.topology.deadLetterQueue(), true, false, false, null);
		}
		assertThatThrownBy(() -> HubInstance.start("refused-topology", this.topology, Map.of()))
			.isInstanceOf(RuntimeException.class);
		assertThat(output.getOut()).contains("APPLICATION FAILED TO START")
			.contains("refused the hub's topology")
			.contains("hub.topology.queue-type");
	}

	/** A port nothing listens on. */
	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
