/* notify.h - the service manager's readiness protocol (sd_notify). */
#ifndef MGR_NOTIFY_H
#define MGR_NOTIFY_H

/* Sends "READY=1", "RELOADING=1", "STOPPING=1"... to $NOTIFY_SOCKET when
 * set (systemd Type=notify); does nothing otherwise.  Uses libsystemd when
 * built with it, else the datagram protocol directly (it is a documented,
 * stable interface: one AF_UNIX datagram). */
void notify_state(const char *state);

#endif
