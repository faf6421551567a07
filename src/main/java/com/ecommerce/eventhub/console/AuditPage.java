package com.ecommerce.eventhub.console;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.ecommerce.eventhub.audit.OperatorAction;
import com.ecommerce.eventhub.audit.OperatorAudit;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The audit trail, newest first, {@value #PAGE} actions a page: who (the key's name),
 * through which channel, what, to what, with which filter, how many, when, and the
 * outcome.
 */
@Controller
class AuditPage {

	static final int PAGE = 100;

	private final ConsolePages pages;

	private final OperatorAudit audit;

	AuditPage(ConsolePages pages, OperatorAudit audit) {
		this.pages = pages;
		this.audit = audit;
	}

	@GetMapping("/console/audit")
	ResponseEntity<String> list(HttpServletRequest request) {
		ConsoleSession session = ConsoleRequests.session(request);
		String before = request.getParameter("before");
		if (before != null && !before.matches("[1-9][0-9]{0,17}")) {
			return this.pages.error(400, session, "'before' must be an action id.", "/console/audit");
		}
		List<OperatorAction> actions = this.audit
			.newestFirst((before != null) ? Long.parseLong(before) : Long.MAX_VALUE, PAGE);
		List<Map<String, Object>> rows = new ArrayList<>();
		for (OperatorAction action : actions) {
			Map<String, Object> row = new HashMap<>();
			row.put("id", action.id());
			row.put("at", ConsoleRequests.time(action.at()));
			row.put("actor", action.actor());
			row.put("channel", action.channel());
			row.put("action", action.action());
			row.put("target", action.target());
			row.put("filter", ConsoleRequests.cut(action.filter(), 600));
			row.put("affected", (action.affected() != null) ? action.affected() : "");
			row.put("outcome", ConsoleRequests.cut(action.outcome(), 300));
			row.put("failed", !OperatorAction.OK.equals(action.outcome()));
			rows.add(row);
		}
		Map<String, Object> model = new HashMap<>();
		model.put("actions", rows);
		if (actions.size() == PAGE) {
			model.put("older", actions.get(actions.size() - 1).id());
		}
		return this.pages.page(200, "audit", "Audit", session, model);
	}

}
