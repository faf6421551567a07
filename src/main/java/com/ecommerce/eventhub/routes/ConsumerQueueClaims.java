package com.ecommerce.eventhub.routes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.config.TopologyProperties.DomainQueue;
import com.ecommerce.eventhub.topology.AggregatePartitions;
import com.ecommerce.eventhub.topology.TopologyConfiguration;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;

/**
 * The queues a YAML consumer may not take, because the hub uses them for something else.
 * A hub consumer owns its queue: it acknowledges, retries and dead-letters every message
 * in it, and the hub declares the queue with a consumer queue's arguments and binds it.
 * So its queue is none of these:
 * <ul>
 * <li>the dead-letter queue and the archive and parked queues derived from its name: a
 * consumer of dead letters fails them and dead-letters them into the queue it reads, a
 * loop that holds them unacknowledged (invisible to the listing) and logs thousands of
 * failures a minute;</li>
 * <li>a domain queue: it keeps the platform's events for the services that read it, and a
 * consumer on it would take them away (a forwarder binds a queue of its own);</li>
 * <li>the queue of another route that exists now, Java or YAML, started or stopped: two
 * routes on one queue each get part of its messages, and one's declaration, bindings and
 * partitions change the other's.</li>
 * </ul>
 * An ordered route takes its partition queues {@code <queue>.p0} ... instead of its
 * queue, so two queue settings also clash when one is a partition queue of the other (all
 * {@value AggregatePartitions#COUNT} of them: the partitions can change on reload).
 */
final class ConsumerQueueClaims {

	private final List<Claim> claims;

	private ConsumerQueueClaims(List<Claim> claims) {
		this.claims = claims;
	}

	/**
	 * The queues taken now.
	 * @param topology the hub's topology settings
	 * @param model the running hub's route definitions
	 * @param replacedIds the routes the checked file replaces (their queues are free)
	 * @param fileOf which file defines a route, empty for a Java route
	 * @return the claims
	 */
	static ConsumerQueueClaims of(TopologyProperties topology, Model model, Collection<String> replacedIds,
			Function<String, Optional<String>> fileOf) {
		List<Claim> claims = new ArrayList<>();
		String deadLetters = "the hub's dead-letter queue (hub.topology.dead-letter-queue): a consumer of it would "
				+ "dead-letter its failures into the queue it reads";
		claims.add(new Claim(topology.deadLetterQueue(), deadLetters));
		claims.add(new Claim(TopologyConfiguration.archiveQueue(topology),
				"the archive queue of the hub's dead letters, drained into PostgreSQL by the hub"));
		claims.add(new Claim(TopologyConfiguration.parkedQueue(topology),
				"the queue of the hub's dead letters the archive refused, kept for a person"));
		for (DomainQueue domainQueue : topology.domainQueues()) {
			claims.add(new Claim(domainQueue.name(),
					"a domain queue (hub.topology.domain-queues), kept for the platform's services"));
		}
		for (RouteDefinition definition : model.getRouteDefinitions()) {
			Map<String, Object> parameters = definition.getTemplateParameters();
			String routeId = definition.getRouteId();
			if (parameters != null && parameters.get("queue") != null && !replacedIds.contains(routeId)) {
				claims.add(new Claim(parameters.get("queue").toString(), "the queue of route '" + routeId + "' ("
						+ fileOf.apply(routeId).map(file -> "file " + file).orElse("a Java route") + ")"));
			}
		}
		return new ConsumerQueueClaims(claims);
	}

	/**
	 * Takes a queue for a route of the checked file, unless it is taken already.
	 * @param queue the route's queue setting
	 * @param routeId the route
	 * @return why the queue cannot be taken, empty when it was taken now
	 */
	Optional<String> take(String queue, String routeId) {
		for (Claim claim : this.claims) {
			if (claim.queue().equals(queue)) {
				return Optional.of("queue '" + queue + "' is " + claim.owner()
						+ "; a consumer needs a queue of its own, bound to the events it wants");
			}
			if (isPartitionOf(queue, claim.queue()) || isPartitionOf(claim.queue(), queue)) {
				return Optional.of("queue '" + queue + "' and '" + claim.queue()
						+ "' would share a partition queue of an ordered route; '" + claim.queue() + "' is "
						+ claim.owner());
			}
		}
		this.claims.add(new Claim(queue, "the queue of route '" + routeId + "' in the same file"));
		return Optional.empty();
	}

	private static boolean isPartitionOf(String queue, String base) {
		for (int index = 0; index < AggregatePartitions.COUNT; index++) {
			if (AggregatePartitions.queueName(base, index).equals(queue)) {
				return true;
			}
		}
		return false;
	}

	/** A queue and what uses it, as a refusal names it. */
	private record Claim(String queue, String owner) {
	}

}
