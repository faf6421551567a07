package com.ecommerce.eventhub.email;

import java.net.ConnectException;
import java.net.SocketTimeoutException;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import org.apache.camel.RuntimeCamelException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a failed send is classified: an SMTP 5xx or a refused address is permanent,
 * anything else transient.
 */
class SmtpMailerTest {

	@Test
	void aPermanentSmtpAnswerIsPermanentAndATemporaryOneIsNot() throws Exception {
		InternetAddress bob = new InternetAddress("bob@example.com");
		MailDeliveryException unknownUser = SmtpMailer.classify(new RuntimeCamelException(
				new SMTPAddressFailedException(bob, "RCPT TO", 550, "550 5.1.1 no such user bob@example.com")));
		assertThat(unknownUser.isPermanent()).isTrue();
		assertThat(unknownUser.getMessage()).startsWith("SMTP 550").doesNotContain("bob@example.com");

		MailDeliveryException mailboxFull = SmtpMailer
			.classify(new MessagingException("send failed", new SMTPSendFailedException("DATA", 452,
					"452 4.2.2 mailbox full", null, new Address[0], new Address[0], new Address[] { bob })));
		assertThat(mailboxFull.isPermanent()).isFalse();
		assertThat(mailboxFull.getMessage()).startsWith("SMTP 452");
	}

	@Test
	void aRefusedAddressIsPermanent() {
		assertThat(SmtpMailer.classify(new RuntimeCamelException(new AddressException("Illegal address", "a b")))
			.isPermanent()).isTrue();
		SendFailedException invalid = new SendFailedException("Invalid Addresses", null, new Address[0], new Address[0],
				new Address[] { new InternetAddress(), });
		assertThat(SmtpMailer.classify(invalid).isPermanent()).isTrue();
	}

	@Test
	void anUnreachableOrSlowServerIsTransient() {
		MailDeliveryException refused = SmtpMailer.classify(new RuntimeCamelException(
				new MessagingException("Couldn't connect to host", new ConnectException("Connection refused"))));
		assertThat(refused.isPermanent()).isFalse();
		assertThat(refused.getMessage()).startsWith("SMTP unavailable: ConnectException");
		assertThat(SmtpMailer.classify(new MessagingException("read", new SocketTimeoutException("Read timed out")))
			.isPermanent()).isFalse();
	}

}
