package com.ecommerce.eventhub.ops;

import java.util.Map;

import com.ecommerce.eventhub.support.HubInstance;
import com.ecommerce.eventhub.support.TestTopology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Idempotency keys outlive the dead letters that may be replayed: a hub whose keys would
 * expire before a dead letter does refuses to start and says why, so a late replay never
 * sends a second mail.
 */
class IdempotencyRetentionIT {

	static final TestTopology topology = TestTopology.unique("keys");

	@AfterAll
	static void cleanup() throws Exception {
		topology.cleanup();
	}

	@Test
	void keysShorterThanTheDeadLetterTtlPlusADayFailStartUp() {
		assertThatThrownBy(() -> HubInstance.start("keys-short", topology,
				Map.of("hub.retention.idempotency", "7d", "hub.topology.dead-letter-ttl", "7d")))
			.rootCause()
			.hasMessageContaining("hub.retention.idempotency (PT168H)")
			.hasMessageContaining("hub.topology.dead-letter-ttl (PT168H)");
		assertThatThrownBy(() -> HubInstance.start("keys-short-ttl", topology,
				Map.of("hub.retention.idempotency", "3d", "hub.topology.dead-letter-ttl", "P2DT12H")))
			.rootCause()
			.hasMessageContaining("must be at least");
	}

	@Test
	void keysThatOutliveDeadLettersStart() {
		try (ConfigurableApplicationContext hub = HubInstance.start("keys-long", topology,
				Map.of("hub.retention.idempotency", "3d", "hub.topology.dead-letter-ttl", "2d", "hub.relay.enabled",
						"false", "hub.notifications.enabled", "false"))) {
			assertThat(hub.isRunning()).isTrue();
		}
	}

}
