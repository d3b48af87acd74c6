/* Every RPC handler, grouped by the file that implements it. The table
 * that names them is in rpc_table.c. */
#ifndef SPEND_HANDLERS_H
#define SPEND_HANDLERS_H

#include "rpc.h"

#define HANDLER(fn) int fn(struct rpc_call *, json_t *, json_t **, \
    struct spend_err *)

/* auth_account.c */
HANDLER(h_auth_delete_account);
HANDLER(h_auth_login);
HANDLER(h_auth_me);
HANDLER(h_auth_password);
HANDLER(h_auth_register);
/* auth_session.c */
HANDLER(h_auth_logout);
HANDLER(h_auth_logout_all);
HANDLER(h_auth_refresh);
HANDLER(h_auth_rotate_key);
HANDLER(h_session_list);
HANDLER(h_session_rename);
HANDLER(h_session_revoke);
/* backup.c */
HANDLER(h_daemon_backup);
/* status.c */
HANDLER(h_daemon_status);
HANDLER(h_daemon_version);
HANDLER(h_rpc_describe);
HANDLER(h_currency_list);
/* user_rpc.c */
HANDLER(h_user_add);
HANDLER(h_user_list);
HANDLER(h_user_get);
HANDLER(h_user_edit);
HANDLER(h_user_delete);
/* category_rpc.c */
HANDLER(h_category_list);
HANDLER(h_category_get);
HANDLER(h_category_add);
HANDLER(h_category_edit);
HANDLER(h_category_rename);
HANDLER(h_category_archive);
HANDLER(h_category_unarchive);
HANDLER(h_category_delete);
/* change_rpc.c */
HANDLER(h_change_list);
/* sync_rpc.c */
HANDLER(h_sync_pull);
HANDLER(h_sync_status);
/* sync_push.c */
HANDLER(h_sync_push);
/* rates_rpc.c */
HANDLER(h_rate_import);
HANDLER(h_rate_list);
HANDLER(h_rate_set);
/* expense_rpc.c */
HANDLER(h_expense_add);
HANDLER(h_expense_get);
HANDLER(h_expense_edit);
HANDLER(h_expense_delete);
HANDLER(h_expense_list);
/* export.c, import.c, plugin.c, report.c */
HANDLER(h_export_run);
HANDLER(h_import_run);
HANDLER(h_plugin_list);
HANDLER(h_report_run);
/* notify_rpc.c, rates_fetch.c */
HANDLER(h_notify_deliveries);
HANDLER(h_notify_remove);
HANDLER(h_notify_set);
HANDLER(h_notify_settings);
HANDLER(h_notify_test);
HANDLER(h_rate_fetch);
/* budget_rpc.c */
HANDLER(h_alert_list);
HANDLER(h_budget_delete);
HANDLER(h_budget_get);
HANDLER(h_budget_list);
HANDLER(h_budget_set);
HANDLER(h_budget_status);
/* recurring_rpc.c */
HANDLER(h_recurring_add);
HANDLER(h_recurring_configure);
HANDLER(h_recurring_delete);
HANDLER(h_recurring_get);
HANDLER(h_recurring_list);
HANDLER(h_recurring_pause);
HANDLER(h_recurring_resume);
HANDLER(h_recurring_settings);
HANDLER(h_recurring_skip);
HANDLER(h_recurring_upcoming);
HANDLER(h_recurring_update);
/* rule_rpc.c */
HANDLER(h_rule_add);
HANDLER(h_rule_apply);
HANDLER(h_rule_delete);
HANDLER(h_rule_list);
HANDLER(h_rule_test);

#endif
