/* SPDX-License-Identifier: MIT */
/* wes: the WMI event-sink contract without Windows. Umbrella header. */
#ifndef WES_H
#define WES_H

#include "wes/version.h"
#include "wes/common.h"
#include "wes/cim.h"
#include "wes/datetime.h"
#include "wes/render.h"
#include "wes/mof.h"
#include "wes/query.h"
#include "wes/security.h"
#include "wes/sink.h"
#include "wes/clock.h"
#include "wes/provider.h"
#include "wes/broker.h"

#endif /* WES_H */
