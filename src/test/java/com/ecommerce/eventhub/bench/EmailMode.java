package com.ecommerce.eventhub.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.ecommerce.eventhub.support.HubInstance;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestTopology;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import org.apache.camel.CamelContext;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code email}: the e-mail route ({@code email-send}: validate, side-effect ledger,
 * render, SMTP) into a local SMTP sink (GreenMail, in this JVM). The route is stopped,
 * {@code bench.mails} email.notification-requested envelopes (template
 * order_confirmation) are published into its queue, the route is started, and the window
 * runs until the sink holds every mail. Relay off: the email.sent events it writes stay
 * in the outbox. CPU time is this JVM's: the hub and the SMTP sink together.
 */
final class EmailMode implements BenchMode {

	static final String ROUTE = "email-send";

	@Override
	public List<BenchResult> run(BenchSettings settings) throws Exception {
		TestTopology topology = TestTopology.unique("bench_mail");
		try {
			return List.of(measure(settings, topology));
		}
		finally {
			topology.cleanup();
		}
	}

	private BenchResult measure(BenchSettings settings, TestTopology topology) throws Exception {
		int port = HubProcess.freePort();
		ServerSetup setup = new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
		setup.setServerStartupTimeout(15_000);
		GreenMail smtp = new GreenMail(setup);
		smtp.start();
		Map<String, Object> hubSettings = new HashMap<>();
		hubSettings.put("hub.relay.enabled", false);
		hubSettings.put("logging.level.root", "WARN");
		hubSettings.put("hub.mail.host", "127.0.0.1");
		hubSettings.put("hub.mail.port", port);
		hubSettings.put("hub.mail.from", "shop@example.com");
		try (ConfigurableApplicationContext hub = HubInstance.start("bench-email", topology, hubSettings)) {
			CamelContext camel = hub.getBean(CamelContext.class);
			String queue = hub.getEnvironment().getRequiredProperty("hub.mail.queue");
			int mails = settings.mails();
			int warmUp = Math.max(20, mails / 10);
			// A warm-up round, not measured.
			camel.getRouteController().stopRoute(ROUTE);
			OutboxRows.publishToQueue(queue, OutboxFixtures.example("email.notification-requested"), warmUp);
			camel.getRouteController().startRoute(ROUTE);
			awaitMails(smtp, warmUp);
			camel.getRouteController().stopRoute(ROUTE);
			OutboxRows.publishToQueue(queue, OutboxFixtures.example("email.notification-requested"), mails);

			Window window = Window.open(ProcessStats.self(), "email");
			camel.getRouteController().startRoute(ROUTE);
			awaitMails(smtp, warmUp + mails);
			Window.Measured measured = window.stop();
			System.out.printf(Locale.ROOT, "email: %,d mails received in %.2f s = %,.0f mails/s, CPU %.2f cores%n",
					mails, measured.seconds(), mails / measured.seconds(), measured.cores());
			return BenchResult.of("email", mails, "mails", measured, "bench JVM (hub and SMTP sink in-process)",
					ROUTE + " into GreenMail, relay off");
		}
		finally {
			smtp.stop();
		}
	}

	private static void awaitMails(GreenMail smtp, int mails) {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
		while (smtp.getReceivedMessages().length < mails) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("the sink did not receive " + mails + " mails within 10 minutes");
			}
			HubProcess.sleep(200);
		}
	}

}
