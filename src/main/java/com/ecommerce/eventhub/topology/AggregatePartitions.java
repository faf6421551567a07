package com.ecommerce.eventhub.topology;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import com.ecommerce.eventhub.config.TopologyProperties;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Binding.DestinationType;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.HeadersExchange;
import org.springframework.amqp.core.Queue;

/**
 * Per-aggregate order at the consumers, on what RabbitMQ gives. The relay puts every
 * event's partition, a stable hash of its aggregate into {@value #COUNT} slots, in the
 * {@value #HEADER} header. An ordered consumer route's events go from the event exchange
 * to a headers exchange of its own ({@code <queue>.partitions}, an exchange-to-exchange
 * binding per routing-key pattern) and from there, by partition, to its partition queues
 * {@code <queue>.p0} ... (partition {@code j} to queue {@code j mod n}). Each partition
 * queue has a single active consumer in the whole cluster and is taken one message at a
 * time, so the events of one aggregate are handled in the order the relay published them,
 * also with several hub instances, while the partitions run in parallel.
 * <p>
 * Without RabbitMQ's exchange-to-exchange bindings (dev mode's embedded broker) an
 * ordered route has one partition queue, bound to the event exchange directly.
 */
public final class AggregatePartitions {

	/** The AMQP header with an event's partition, 0 to {@value #COUNT} - 1. */
	public static final String HEADER = "aggregatePartition";

	/** The slots aggregates are hashed to, and the most partitions a route can have. */
	public static final int COUNT = 64;

	private AggregatePartitions() {
	}

	/**
	 * An aggregate's partition: CRC-32 of {@code aggregateType/aggregateId} in UTF-8,
	 * modulo {@value #COUNT}. Stable across instances, restarts and versions: it is part
	 * of the wire contract.
	 * @param aggregateType e.g. {@code Order}
	 * @param aggregateId the aggregate root's id
	 * @return the partition
	 */
	public static int of(String aggregateType, String aggregateId) {
		CRC32 crc = new CRC32();
		crc.update((aggregateType + "/" + aggregateId).getBytes(StandardCharsets.UTF_8));
		return (int) (crc.getValue() % COUNT);
	}

	/**
	 * @param topology the topology settings
	 * @param requested the partitions a route asks for
	 * @return the partitions it gets: 1 on a broker without exchange-to-exchange bindings
	 */
	public static int effective(TopologyProperties topology, int requested) {
		return topology.rabbitmqExtensions() ? requested : 1;
	}

	/**
	 * @param queue an ordered route's queue setting
	 * @param partitions its effective partitions
	 * @return the partition queues it takes, {@code <queue>.p0} ...
	 */
	public static List<String> queueNames(String queue, int partitions) {
		List<String> names = new ArrayList<>(partitions);
		for (int i = 0; i < partitions; i++) {
			names.add(queueName(queue, i));
		}
		return names;
	}

	/**
	 * @param queue an ordered route's queue setting
	 * @param index the partition queue's index
	 * @return its name
	 */
	public static String queueName(String queue, int index) {
		return queue + ".p" + index;
	}

	/**
	 * @param queue an ordered route's queue setting
	 * @return the name of its headers exchange
	 */
	public static String exchangeName(String queue) {
		return queue + ".partitions";
	}

	/**
	 * What an ordered route needs declared: its headers exchange bound to the event
	 * exchange, and its partition queues (single active consumer) bound to it by
	 * partition; or, without exchange-to-exchange bindings, one partition queue bound to
	 * the event exchange.
	 * @param topology the topology settings
	 * @param queue the route's queue setting
	 * @param bindings its routing-key patterns
	 * @param partitions its effective partitions
	 * @return exchanges, queues and bindings, in declaration order
	 */
	public static List<Declarable> declarables(TopologyProperties topology, String queue, Collection<String> bindings,
			int partitions) {
		List<Declarable> declarables = new ArrayList<>();
		Map<String, Object> arguments = new HashMap<>(
				TopologyConfiguration.consumerQueue(topology, queue).getArguments());
		arguments.put("x-single-active-consumer", true);
		List<String> queues = queueNames(queue, partitions);
		for (String name : queues) {
			declarables.add(new Queue(name, true, false, false, arguments));
		}
		if (!topology.rabbitmqExtensions()) {
			for (String pattern : bindings) {
				declarables.add(new Binding(queues.get(0), DestinationType.QUEUE, topology.exchange(), pattern, null));
			}
			return declarables;
		}
		String exchange = exchangeName(queue);
		declarables.add(new HeadersExchange(exchange, true, false));
		for (String pattern : bindings) {
			declarables.add(new Binding(exchange, DestinationType.EXCHANGE, topology.exchange(), pattern, null));
		}
		for (int partition = 0; partition < COUNT; partition++) {
			declarables.add(partitionBinding(queues.get(partition % partitions), exchange, partition));
		}
		return declarables;
	}

	/**
	 * The binding that sends one partition to a partition queue.
	 * @param queue the partition queue
	 * @param exchange the route's headers exchange
	 * @param partition the partition
	 * @return the binding
	 */
	public static Binding partitionBinding(String queue, String exchange, int partition) {
		return new Binding(queue, DestinationType.QUEUE, exchange, "", Map.of("x-match", "all", HEADER, partition));
	}

}
