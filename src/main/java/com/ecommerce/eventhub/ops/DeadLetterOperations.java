package com.ecommerce.eventhub.ops;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.ecommerce.eventhub.audit.OperatorAction;
import com.ecommerce.eventhub.audit.OperatorAudit;
import com.ecommerce.eventhub.outbox.OutboxStore;

import org.springframework.stereotype.Component;

/**
 * What an operator does with dead letters, from the HTTP API or the console alike: list
 * and open them, replay or discard those a {@link DeadLetterFilter} selects. Every replay
 * and discard is in the audit trail (who, filter, how many); a relay dead letter is never
 * replayed (it is an envelope that failed validation) and its {@code DEAD} outbox row is
 * marked handled once it is discarded.
 */
@Component
public class DeadLetterOperations {

	/** The route of the relay's dead letters. */
	public static final String RELAY_ROUTE = "outbox-relay";

	private final DeadLetterQueue queue;

	private final DeadLetterArchiver archiver;

	private final DeadLetterMonitor monitor;

	private final OutboxStore outbox;

	private final OperatorAudit audit;

	DeadLetterOperations(DeadLetterQueue queue, DeadLetterArchiver archiver, DeadLetterMonitor monitor,
			OutboxStore outbox, OperatorAudit audit) {
		this.queue = queue;
		this.archiver = archiver;
		this.monitor = monitor;
		this.outbox = outbox;
		this.audit = audit;
	}

	/**
	 * The dead letters a filter selects, of the first
	 * {@link DeadLetterQueue#MAX_MESSAGES} in the queue; nothing is taken from the queue.
	 * @param filter the filter, null for every dead letter
	 * @param limit how many matches to return at most (all are counted)
	 * @return the matches
	 * @throws IOException when the broker is unreachable
	 */
	public Listing list(DeadLetterFilter filter, int limit) throws IOException {
		List<DeadLetterView> scanned = this.queue.list(DeadLetterQueue.MAX_MESSAGES);
		List<DeadLetterView> shown = new ArrayList<>();
		int matched = 0;
		for (DeadLetterView view : scanned) {
			if (filter == null || filter.matches(view)) {
				matched++;
				if (shown.size() < limit) {
					shown.add(view);
				}
			}
		}
		return new Listing(shown, matched, scanned.size());
	}

	/**
	 * @param eventId an event's id
	 * @return its dead letters, opened
	 * @throws IOException when the broker is unreachable
	 */
	public List<DeadLetterMessage> inspect(String eventId) throws IOException {
		return this.queue.inspect(eventId);
	}

	/**
	 * How many dead letters an operation with this filter would take now.
	 * @param filter the filter
	 * @param replay whether it is a replay (relay dead letters are left out)
	 * @return the count
	 * @throws IOException when the broker is unreachable
	 */
	public long countMatching(DeadLetterFilter filter, boolean replay) throws IOException {
		return this.queue.list(DeadLetterQueue.MAX_MESSAGES)
			.stream()
			.filter(view -> filter.matches(view) && !(replay && RELAY_ROUTE.equals(view.failedRoute())))
			.count();
	}

	/**
	 * Replays the dead letters the filter selects (one at a time, see
	 * {@link DeadLetterQueue#replay}), recorded in the audit trail.
	 * @param actor the operator (the API key's name)
	 * @param channel {@code api} or {@code console}
	 * @param filter which dead letters
	 * @return what was replayed and what stayed
	 * @throws IOException when the broker is unreachable; what was replayed until then
	 * stays replayed
	 */
	public DeadLetterQueue.ReplayResult replay(String actor, String channel, DeadLetterFilter filter)
			throws IOException {
		long action = this.audit.begin(actor, channel, "dead-letters.replay", null, filter.describe());
		try {
			DeadLetterQueue.ReplayResult result = this.queue
				.replay(view -> filter.matches(view) && !RELAY_ROUTE.equals(view.failedRoute()));
			this.audit.finish(action, result.replayed().size(), OperatorAction.OK);
			return result;
		}
		catch (IOException | RuntimeException ex) {
			this.audit.finish(action, null, "failed: " + ex.getMessage());
			throw ex;
		}
		finally {
			this.monitor.refresh();
		}
	}

	/**
	 * Moves the dead letters the filter selects to the archive, recorded in the audit
	 * trail; the {@code DEAD} outbox rows of relay dead letters become handled.
	 * @param actor the operator (the API key's name)
	 * @param channel {@code api} or {@code console}
	 * @param filter which dead letters
	 * @return the dead letters discarded
	 * @throws IOException when the broker is unreachable; what was discarded until then
	 * stays discarded
	 */
	public List<DeadLetterView> discard(String actor, String channel, DeadLetterFilter filter) throws IOException {
		long action = this.audit.begin(actor, channel, "dead-letters.discard", null, filter.describe());
		try {
			List<DeadLetterView> discarded = this.queue.discard(filter::matches, this.archiver);
			for (DeadLetterView view : discarded) {
				// The DEAD outbox row of a relay dead letter is handled once the dead
				// letter is: retention may delete it after hub.retention.dead.
				if (RELAY_ROUTE.equals(view.failedRoute()) && isUuid(view.eventId())) {
					this.outbox.markDeadHandled(UUID.fromString(view.eventId()));
				}
			}
			this.audit.finish(action, discarded.size(), OperatorAction.OK);
			return discarded;
		}
		catch (IOException | RuntimeException ex) {
			this.audit.finish(action, null, "failed: " + ex.getMessage());
			throw ex;
		}
		finally {
			this.monitor.refresh();
		}
	}

	private static boolean isUuid(String text) {
		try {
			return text != null && text.length() == 36 && UUID.fromString(text).toString().equalsIgnoreCase(text);
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	/**
	 * A listing.
	 *
	 * @param deadLetters the matches shown, oldest first
	 * @param matched how many matched in all
	 * @param scanned how many dead letters were looked at
	 */
	public record Listing(List<DeadLetterView> deadLetters, int matched, int scanned) {
	}

}
