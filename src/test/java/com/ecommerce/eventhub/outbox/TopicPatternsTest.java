package com.ecommerce.eventhub.outbox;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database selects a replay's events with these expressions, so they must route as a
 * RabbitMQ topic exchange does: {@code *} one word, {@code #} zero or more, everything
 * else literal.
 */
class TopicPatternsTest {

	@Test
	void hashMatchesZeroOrMoreWords() {
		assertThat(TopicPatterns.matches("order.#", "order.placed")).isTrue();
		assertThat(TopicPatterns.matches("order.#", "order.cart.cleared")).isTrue();
		assertThat(TopicPatterns.matches("order.#", "order")).isTrue();
		assertThat(TopicPatterns.matches("#", "anything.at.all")).isTrue();
		assertThat(TopicPatterns.matches("order.#", "orders.placed")).isFalse();
		assertThat(TopicPatterns.matches("#.placed", "order.placed")).isTrue();
		assertThat(TopicPatterns.matches("#.placed", "order.replaced")).isFalse();
	}

	@Test
	void starMatchesExactlyOneWord() {
		assertThat(TopicPatterns.matches("product.*", "product.created")).isTrue();
		assertThat(TopicPatterns.matches("product.*", "product")).isFalse();
		assertThat(TopicPatterns.matches("product.*", "product.price.changed")).isFalse();
		assertThat(TopicPatterns.matches("*.created", "product.created")).isTrue();
	}

	@Test
	void everythingElseIsLiteral() {
		assertThat(TopicPatterns.matches("landing-cms.#", "landing-cms.page-published")).isTrue();
		assertThat(TopicPatterns.matches("order.placed", "orderXplaced")).isFalse();
		assertThat(TopicPatterns.matches("a+b.(c)", "a+b.(c)")).isTrue();
		assertThat(TopicPatterns.matches("a+b.(c)", "aab.c")).isFalse();
		assertThat(TopicPatterns.regex("order.#")).isEqualTo("^\\.order(\\.[^.]*)*$");
	}

}
