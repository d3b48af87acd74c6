/* JSON-RPC over a Unix socket: one JSON value per line, peer uid checked. */
#ifndef SPEND_RPC_UNIX_H
#define SPEND_RPC_UNIX_H

struct spendd;

/* Listen on sd->cfg.socket (0660, in a 0750 directory). A live daemon on
 * the same path is an error; a stale socket file is replaced. */
int rpc_unix_start(struct spendd *sd);
/* Stop accepting; connections with calls in flight finish them. */
void rpc_unix_stop(struct spendd *sd);
/* Connections with replies not yet written: a stop waits for them. */
int rpc_unix_busy(struct spendd *sd);
/* Close every connection and free everything (after the loop ends). */
void rpc_unix_free(struct spendd *sd);

#endif
