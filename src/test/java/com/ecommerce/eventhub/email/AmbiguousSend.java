package com.ecommerce.eventhub.email;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.awaitility.Awaitility.await;

/**
 * What both ambiguous-send tests share: an order whose confirmation mail goes to an SMTP
 * server that takes the first message and never answers ({@code SilentSmtpServer}). The
 * attempt times out after 2 s while the server may have stored the mail; the side-effect
 * ledger's lease (attempt timeout + 5 s) then runs out and the route's policy decides.
 * JavaMail's own read timeout (30 s) is longer than the attempt's, so the hub, not the
 * socket, ends the attempt.
 */
final class AmbiguousSend {

	private AmbiguousSend() {
	}

	/** Places an order and returns the eventId of its e-mail request. */
	static String placeOrder(TestTopology topology, JdbcTemplate jdbc) throws Exception {
		ObjectNode order = OutboxFixtures.example("order.placed");
		OutboxFixtures.insert(topology.schema(), order);
		return await().atMost(Duration.ofSeconds(30))
			.until(() -> requests(topology, jdbc), ids -> ids.size() == 1)
			.get(0);
	}

	private static List<String> requests(TestTopology topology, JdbcTemplate jdbc) {
		return jdbc.queryForList("SELECT event_id::text FROM " + topology.schema()
				+ ".outbox_event WHERE event_type = 'email.notification-requested'", String.class);
	}

	/** The Message-ID header of a raw message, null when it has none. */
	static String messageIdOf(String rawMessage) {
		return rawMessage.lines()
			.filter(line -> line.regionMatches(true, 0, "Message-ID:", 0, 11))
			.map(line -> line.substring(11).trim())
			.findFirst()
			.orElse(null);
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
