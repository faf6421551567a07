package com.ecommerce.eventhub.config;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * API callers ({@code hub.security.*}). Without any key configured every {@code /api}
 * request is refused.
 *
 * @param apiKeys the callers
 */
@Validated
@ConfigurationProperties("hub.security")
public record SecurityProperties(List<@Valid ApiKey> apiKeys) {

	public SecurityProperties {
		apiKeys = (apiKeys != null) ? List.copyOf(apiKeys) : List.of();
	}

	/**
	 * One caller.
	 *
	 * @param name who the caller is (logged, and the {@code metadata.source} of every
	 * event it posts); never the key itself
	 * @param key the secret sent in {@code X-API-Key} or {@code Authorization: Bearer}
	 * @param eventTypes event-type patterns the caller may post ({@code *} for all,
	 * {@code order.*} for a prefix)
	 * @param admin whether the caller may use the operations endpoints (dead letters,
	 * routes)
	 */
	public record ApiKey(@NotBlank String name, @NotBlank @Size(min = 16) String key, List<String> eventTypes,
			boolean admin) {

		public ApiKey {
			eventTypes = (eventTypes != null) ? List.copyOf(eventTypes) : List.of();
		}

		/**
		 * Whether this caller may post (and read) events of a type: {@code *} allows all,
		 * {@code order.*} every type below {@code order.}, anything else that exact type.
		 * @param eventType the event type
		 * @return true when one of the patterns matches
		 */
		public boolean allows(String eventType) {
			return this.eventTypes.stream().anyMatch(pattern -> EventTypePatterns.matches(pattern, eventType));
		}

		/**
		 * Whether this caller names the type itself, not through {@code *} or a prefix:
		 * what a hub-internal type ({@code hub.ingestion.internal-types}) requires.
		 * @param eventType the event type
		 * @return true when one of the patterns is exactly the type
		 */
		public boolean namesExactly(String eventType) {
			return this.eventTypes.contains(eventType);
		}

		@Override
		public String toString() {
			return "ApiKey[name=" + this.name + ", eventTypes=" + this.eventTypes + ", admin=" + this.admin + "]";
		}

	}

}
