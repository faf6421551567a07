package com.ecommerce.eventhub.outbox;

import java.sql.SQLException;
import java.util.List;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Turns a start-up without the outbox database (nothing listening, or credentials
 * refused) into Spring Boot's "APPLICATION FAILED TO START" report that says so, instead
 * of a stack trace through Flyway and the connection pool. The hub never starts without
 * its database and never falls back to another one.
 */
class DatabaseUnavailableFailureAnalyzer implements FailureAnalyzer {

	/**
	 * SQLSTATE classes: connection exception, invalid authorization, no such database.
	 */
	private static final List<String> UNREACHABLE_STATES = List.of("08", "28", "3D");

	@Override
	public FailureAnalysis analyze(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sql && sql.getSQLState() != null
					&& UNREACHABLE_STATES.stream().anyMatch(sql.getSQLState()::startsWith)) {
				return new FailureAnalysis("Event Hub needs its PostgreSQL database and could not connect: " + sql
					.getMessage(), "Start PostgreSQL, or point spring.datasource.url (and .username, .password) at it. "
							+ "To try the hub without installed services, run dev mode: ./mvnw spring-boot:test-run",
						cause);
			}
		}
		return null;
	}

}
