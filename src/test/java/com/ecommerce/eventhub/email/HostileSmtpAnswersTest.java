package com.ecommerce.eventhub.email;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.ecommerce.eventhub.config.MailProperties;
import com.ecommerce.eventhub.support.EndlessSmtpServer;
import com.ecommerce.eventhub.support.EndlessSmtpServer.Answer;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an SMTP server sends is bounded: Angus Mail read a reply for as long as the server
 * sent it, growing its buffers, and a blocking read ignored the attempt timeout's
 * interrupt. The server here feeds each reply for a minute unless the hub closes the
 * connection.
 */
class HostileSmtpAnswersTest {

	@Test
	void aReplyLineThatNeverEndsFailsTheSendAndClosesTheConnection() throws Exception {
		assertRefusedBySize(Answer.ENDLESS_LINE);
	}

	@Test
	void replyLinesWithoutALastOneFailTheSendAndCloseTheConnection() throws Exception {
		assertRefusedBySize(Answer.ENDLESS_LINES);
	}

	/**
	 * A reply trickled a byte every 100 ms stays within every limit, and each read within
	 * the read timeout: only the attempt timeout's interrupt can end it.
	 */
	@Test
	void aTrickledReplyIsNoLongerReadOnceTheSendingThreadIsInterrupted() throws Exception {
		int port = AmbiguousSend.freePort();
		try (EndlessSmtpServer server = EndlessSmtpServer.start(port, Answer.TRICKLED_LINE);
				ReusedSmtpConnections sender = new ReusedSmtpConnections(mailSettings(port), 1)) {
			CompletableFuture<Throwable> failure = new CompletableFuture<>();
			Thread sending = new Thread(() -> failure.complete(sendFailure(sender)), "trickled-send");
			sending.setDaemon(true);
			sending.start();
			Thread.sleep(1000); // well into the trickled reply
			sending.interrupt();

			// Without the bound the send goes on for the server's minute.
			Throwable thrown = failure.get(10, TimeUnit.SECONDS);
			assertThat(thrown).isInstanceOf(MessagingException.class);
			await().atMost(Duration.ofSeconds(5)).until(() -> server.closedByClient() == 1);
		}
	}

	private static void assertRefusedBySize(Answer answer) throws Exception {
		int port = AmbiguousSend.freePort();
		try (EndlessSmtpServer server = EndlessSmtpServer.start(port, answer);
				ReusedSmtpConnections sender = new ReusedSmtpConnections(mailSettings(port), 1)) {
			// Without the bound the send goes on for the server's minute.
			Throwable thrown = CompletableFuture.supplyAsync(() -> sendFailure(sender)).get(20, TimeUnit.SECONDS);

			assertThat(thrown).isInstanceOf(MessagingException.class);
			assertThat(causes(thrown)).contains("the SMTP server sent more than 256 KB in answer to one command");
			await().atMost(Duration.ofSeconds(5)).until(() -> server.closedByClient() == 1);
		}
	}

	private static Throwable sendFailure(ReusedSmtpConnections sender) {
		try {
			MimeMessage mail = new MimeMessage(Session.getInstance(new java.util.Properties()));
			mail.setFrom(new InternetAddress("no-reply@example.com"));
			mail.setRecipient(Message.RecipientType.TO, new InternetAddress("buyer@example.com"));
			mail.setSubject("Your order");
			mail.setText("Thank you");
			sender.send(mail);
			return null;
		}
		catch (MessagingException ex) {
			return ex;
		}
	}

	private static String causes(Throwable thrown) {
		StringBuilder messages = new StringBuilder();
		for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
			messages.append(cause).append('\n');
		}
		return messages.toString();
	}

	private static MailProperties mailSettings(int port) {
		return new MailProperties("127.0.0.1", port, "", "", "no-reply@example.com", false, false,
				Duration.ofSeconds(10), "hub.email", new MailProperties.Retry(3, Duration.ofMinutes(5), 2));
	}

}
