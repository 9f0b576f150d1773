#include <glib.h>
GQuark mg_config_error_quark(void);
G_DEFINE_QUARK(mg-config-error-quark, mg_config_error)
