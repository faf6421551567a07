package com.ecommerce.eventhub.consumers;

import java.net.ConnectException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a handler learns about the attempt it runs in, and outside of one. */
class CurrentAttemptTest {

	@AfterEach
	void exit() {
		CurrentAttempt.exit();
	}

	@Test
	void outsideAnAttemptAHandlerRunsItsOnlyAndLastAttempt() {
		assertThat(CurrentAttempt.number()).isEqualTo(1);
		assertThat(CurrentAttempt.isLast()).isTrue();
		CurrentAttempt.peerFailed(new ConnectException("refused")); // nothing to tell
	}

	@Test
	void withinAnAttemptItsNumberAndWhetherItIsTheLastAndThePeerFailureItReports() {
		CurrentAttempt current = CurrentAttempt.enter(2, false);
		assertThat(CurrentAttempt.number()).isEqualTo(2);
		assertThat(CurrentAttempt.isLast()).isFalse();
		assertThat(current.peerFailure()).isNull();
		ConnectException failure = new ConnectException("refused");
		CurrentAttempt.peerFailed(failure);
		assertThat(current.peerFailure()).isSameAs(failure);

		CurrentAttempt.enter(5, true);
		assertThat(CurrentAttempt.isLast()).isTrue();
		CurrentAttempt.exit();
		assertThat(CurrentAttempt.number()).isEqualTo(1);
	}

}
