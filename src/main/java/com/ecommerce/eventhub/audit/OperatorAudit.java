package com.ecommerce.eventhub.audit;

import java.sql.Timestamp;
import java.util.List;
import java.util.Map;

import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The one owner of {@code operator_action}. An action is written before it runs
 * ({@link #begin}) and completed after it ({@link #finish}): a hub that cannot write the
 * audit refuses the action rather than do it unrecorded, and an action whose hub died
 * half-way stays visible as {@code started}.
 */
@Repository
public class OperatorAudit {

	private static final Logger log = LoggerFactory.getLogger(OperatorAudit.class);

	/** Longest filter kept; a longer one (a huge selection) is cut and marked. */
	static final int MAX_FILTER = 8_000;

	private static final int MAX_TEXT = 1_000;

	private static final String BEGIN = """
			INSERT INTO operator_action (actor, channel, action, target, filter, outcome)
			VALUES (?, ?, ?, ?, ?::jsonb, 'started')
			RETURNING id""";

	private static final String FINISH = "UPDATE operator_action SET affected = ?, outcome = ? WHERE id = ?";

	private static final String NEWEST_FIRST = """
			SELECT id, at, actor, channel, action, target, filter::text AS filter, affected, outcome
			FROM operator_action WHERE id < ? ORDER BY id DESC LIMIT ?""";

	private final JdbcTemplate jdbc;

	OperatorAudit(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Records that an operator starts an action.
	 * @param actor the API key's name
	 * @param channel {@code api} or {@code console}
	 * @param action what, e.g. {@code dead-letters.replay}
	 * @param target what it is done to, or null
	 * @param filter what selects the items (written as JSON), or null
	 * @return the action's id, for {@link #finish}
	 * @throws org.springframework.dao.DataAccessException when the audit cannot be
	 * written: the caller must not go on
	 */
	public long begin(String actor, String channel, String action, String target, Map<String, ?> filter) {
		Long id = this.jdbc.queryForObject(BEGIN, Long.class, text(actor), text(channel), text(action), text(target),
				json(filter));
		return (id != null) ? id : -1;
	}

	/**
	 * Completes an action's record. A failure to write it is logged, not thrown: the
	 * action has happened, and its record stays {@code started}.
	 * @param id the action's id
	 * @param affected how many items it changed, or null when unknown
	 * @param outcome {@link OperatorAction#OK} or {@code failed: <why>}
	 */
	public void finish(long id, Integer affected, String outcome) {
		try {
			this.jdbc.update(FINISH, affected, text(outcome), id);
		}
		catch (RuntimeException ex) {
			log.error("Could not complete audit record {} ({} items, {}): {}", id, affected, outcome, ex.getMessage());
		}
	}

	/**
	 * The recorded actions, newest first.
	 * @param before only actions with a lower id (paging), or {@link Long#MAX_VALUE}
	 * @param limit how many at most
	 * @return the actions
	 */
	public List<OperatorAction> newestFirst(long before, int limit) {
		return this.jdbc.query(NEWEST_FIRST,
				(rs, row) -> new OperatorAction(rs.getLong("id"), instant(rs.getTimestamp("at")), rs.getString("actor"),
						rs.getString("channel"), rs.getString("action"), rs.getString("target"), rs.getString("filter"),
						(Integer) rs.getObject("affected"), rs.getString("outcome")),
				before, limit);
	}

	private static java.time.Instant instant(Timestamp timestamp) {
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

	/**
	 * The filter as JSON PostgreSQL takes: U+0000 (which jsonb refuses) replaced, and a
	 * filter over {@link #MAX_FILTER} characters kept as a cut string.
	 */
	static String json(Map<String, ?> filter) {
		if (filter == null) {
			return null;
		}
		try {
			String json = EnvelopeJson.mapper().writeValueAsString(filter).replace("\\u0000", "\\ufffd");
			if (json.length() <= MAX_FILTER) {
				return json;
			}
			return EnvelopeJson.mapper()
				.writeValueAsString(Map.of("truncated", json.substring(0, MAX_FILTER)))
				.replace("\\u0000", "\\ufffd");
		}
		catch (JsonProcessingException ex) {
			throw new IllegalArgumentException("filter cannot be written as JSON", ex);
		}
	}

	/** Text PostgreSQL takes, and not more of it than a person reads. */
	static String text(String value) {
		if (value == null) {
			return null;
		}
		String bounded = (value.length() <= MAX_TEXT) ? value : value.substring(0, MAX_TEXT);
		return bounded.replace('\u0000', '\ufffd');
	}

}
