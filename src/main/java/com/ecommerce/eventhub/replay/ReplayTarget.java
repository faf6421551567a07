package com.ecommerce.eventhub.replay;

import java.util.List;

import com.ecommerce.eventhub.topology.AggregatePartitions;

/**
 * Where a replay to one consumer route goes: the route's own queue, or for an ordered
 * route its partition queues ({@code <queue>.p<partition mod n>}), through the default
 * exchange, so no other queue bound to the same events gets them.
 *
 * @param routeId the consumer route
 * @param queue its queue setting
 * @param bindings its routing-key patterns: only events it would have received are sent
 * @param ordered whether it takes partition queues
 * @param partitions its effective partitions (1 when not ordered)
 */
public record ReplayTarget(String routeId, String queue, List<String> bindings, boolean ordered, int partitions) {

	public ReplayTarget {
		bindings = List.copyOf(bindings);
	}

	/**
	 * @param partition an event's {@code aggregatePartition}
	 * @return the queue it goes to
	 */
	public String queueFor(int partition) {
		return this.ordered ? AggregatePartitions.queueName(this.queue, Math.floorMod(partition, this.partitions))
				: this.queue;
	}

	/** Every queue the replay may publish to. */
	public List<String> queues() {
		return this.ordered ? AggregatePartitions.queueNames(this.queue, this.partitions) : List.of(this.queue);
	}

}
