/* SPDX-License-Identifier: MIT */
/*
 * wes core: export macro, status codes (HRESULT values of WMI), error
 * detail, allocator hook and log hook.
 *
 * Every fallible wes function returns a wes_hresult_t. Failure is exactly
 * hr < 0 (WES_FAILED). Success codes other than WES_S_OK carry information
 * (WES_S_FALSE: "no", end of data; WES_S_TIMEDOUT; ...).
 *
 * Thread: everything in this header may be called from any thread, except
 * wes_replace_allocator (before any other wes call, once).
 */
#ifndef WES_COMMON_H
#define WES_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "version.h"

#if defined(_WIN32) && defined(WES_SHARED_BUILD)
#define WES_API __declspec(dllexport)
#elif defined(_WIN32) && defined(WES_SHARED)
#define WES_API __declspec(dllimport)
#elif defined(__GNUC__) || defined(__clang__)
#define WES_API __attribute__((visibility("default")))
#else
#define WES_API
#endif

#if defined(__GNUC__) || defined(__clang__)
#define WES_DEPRECATED __attribute__((deprecated))
#define WES_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define WES_DEPRECATED
#define WES_PRINTF(f, a)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* A status code. Failure <=> (hr < 0). Values are WMI's WBEMSTATUS. */
typedef int32_t wes_hresult_t;

#define WES_FAILED(hr) ((wes_hresult_t)(hr) < 0)
#define WES_SUCCEEDED(hr) ((wes_hresult_t)(hr) >= 0)

/*
 * Every code wes knows, with WMI's exact value. WES_<x> is WBEM_<x> (and
 * WES_ESS_E_<x> is WBEMESS_E_<x>). New failure codes are never invented:
 * wes reuses the nearest WMI code and puts detail in wes_error_t.
 */
#define WES_S_NO_ERROR ((wes_hresult_t)0x00000000)
#define WES_S_FALSE ((wes_hresult_t)0x00000001)
#define WES_S_ALREADY_EXISTS ((wes_hresult_t)0x00040001)
#define WES_S_RESET_TO_DEFAULT ((wes_hresult_t)0x00040002)
#define WES_S_DIFFERENT ((wes_hresult_t)0x00040003)
#define WES_S_TIMEDOUT ((wes_hresult_t)0x00040004)
#define WES_S_NO_MORE_DATA ((wes_hresult_t)0x00040005)
#define WES_S_OPERATION_CANCELLED ((wes_hresult_t)0x00040006)
#define WES_S_PENDING ((wes_hresult_t)0x00040007)
#define WES_S_DUPLICATE_OBJECTS ((wes_hresult_t)0x00040008)
#define WES_S_ACCESS_DENIED ((wes_hresult_t)0x00040009)
#define WES_S_PARTIAL_RESULTS ((wes_hresult_t)0x00040010)
#define WES_S_SOURCE_NOT_AVAILABLE ((wes_hresult_t)0x00040017)
#define WES_S_LIMITED_SERVICE ((wes_hresult_t)0x00043001)
#define WES_S_INDIRECTLY_UPDATED ((wes_hresult_t)0x00043002)
#define WES_S_SUBJECT_TO_SDS ((wes_hresult_t)0x00043003)
#define WES_E_FAILED ((wes_hresult_t)(0x80041001LL - 0x100000000LL))
#define WES_E_NOT_FOUND ((wes_hresult_t)(0x80041002LL - 0x100000000LL))
#define WES_E_ACCESS_DENIED ((wes_hresult_t)(0x80041003LL - 0x100000000LL))
#define WES_E_PROVIDER_FAILURE ((wes_hresult_t)(0x80041004LL - 0x100000000LL))
#define WES_E_TYPE_MISMATCH ((wes_hresult_t)(0x80041005LL - 0x100000000LL))
#define WES_E_OUT_OF_MEMORY ((wes_hresult_t)(0x80041006LL - 0x100000000LL))
#define WES_E_INVALID_CONTEXT ((wes_hresult_t)(0x80041007LL - 0x100000000LL))
#define WES_E_INVALID_PARAMETER ((wes_hresult_t)(0x80041008LL - 0x100000000LL))
#define WES_E_NOT_AVAILABLE ((wes_hresult_t)(0x80041009LL - 0x100000000LL))
#define WES_E_CRITICAL_ERROR ((wes_hresult_t)(0x8004100ALL - 0x100000000LL))
#define WES_E_INVALID_STREAM ((wes_hresult_t)(0x8004100BLL - 0x100000000LL))
#define WES_E_NOT_SUPPORTED ((wes_hresult_t)(0x8004100CLL - 0x100000000LL))
#define WES_E_INVALID_SUPERCLASS ((wes_hresult_t)(0x8004100DLL - 0x100000000LL))
#define WES_E_INVALID_NAMESPACE ((wes_hresult_t)(0x8004100ELL - 0x100000000LL))
#define WES_E_INVALID_OBJECT ((wes_hresult_t)(0x8004100FLL - 0x100000000LL))
#define WES_E_INVALID_CLASS ((wes_hresult_t)(0x80041010LL - 0x100000000LL))
#define WES_E_PROVIDER_NOT_FOUND ((wes_hresult_t)(0x80041011LL - 0x100000000LL))
#define WES_E_INVALID_PROVIDER_REGISTRATION ((wes_hresult_t)(0x80041012LL - 0x100000000LL))
#define WES_E_PROVIDER_LOAD_FAILURE ((wes_hresult_t)(0x80041013LL - 0x100000000LL))
#define WES_E_INITIALIZATION_FAILURE ((wes_hresult_t)(0x80041014LL - 0x100000000LL))
#define WES_E_TRANSPORT_FAILURE ((wes_hresult_t)(0x80041015LL - 0x100000000LL))
#define WES_E_INVALID_OPERATION ((wes_hresult_t)(0x80041016LL - 0x100000000LL))
#define WES_E_INVALID_QUERY ((wes_hresult_t)(0x80041017LL - 0x100000000LL))
#define WES_E_INVALID_QUERY_TYPE ((wes_hresult_t)(0x80041018LL - 0x100000000LL))
#define WES_E_ALREADY_EXISTS ((wes_hresult_t)(0x80041019LL - 0x100000000LL))
#define WES_E_OVERRIDE_NOT_ALLOWED ((wes_hresult_t)(0x8004101ALL - 0x100000000LL))
#define WES_E_PROPAGATED_QUALIFIER ((wes_hresult_t)(0x8004101BLL - 0x100000000LL))
#define WES_E_PROPAGATED_PROPERTY ((wes_hresult_t)(0x8004101CLL - 0x100000000LL))
#define WES_E_UNEXPECTED ((wes_hresult_t)(0x8004101DLL - 0x100000000LL))
#define WES_E_ILLEGAL_OPERATION ((wes_hresult_t)(0x8004101ELL - 0x100000000LL))
#define WES_E_CANNOT_BE_KEY ((wes_hresult_t)(0x8004101FLL - 0x100000000LL))
#define WES_E_INCOMPLETE_CLASS ((wes_hresult_t)(0x80041020LL - 0x100000000LL))
#define WES_E_INVALID_SYNTAX ((wes_hresult_t)(0x80041021LL - 0x100000000LL))
#define WES_E_NONDECORATED_OBJECT ((wes_hresult_t)(0x80041022LL - 0x100000000LL))
#define WES_E_READ_ONLY ((wes_hresult_t)(0x80041023LL - 0x100000000LL))
#define WES_E_PROVIDER_NOT_CAPABLE ((wes_hresult_t)(0x80041024LL - 0x100000000LL))
#define WES_E_CLASS_HAS_CHILDREN ((wes_hresult_t)(0x80041025LL - 0x100000000LL))
#define WES_E_CLASS_HAS_INSTANCES ((wes_hresult_t)(0x80041026LL - 0x100000000LL))
#define WES_E_QUERY_NOT_IMPLEMENTED ((wes_hresult_t)(0x80041027LL - 0x100000000LL))
#define WES_E_ILLEGAL_NULL ((wes_hresult_t)(0x80041028LL - 0x100000000LL))
#define WES_E_INVALID_QUALIFIER_TYPE ((wes_hresult_t)(0x80041029LL - 0x100000000LL))
#define WES_E_INVALID_PROPERTY_TYPE ((wes_hresult_t)(0x8004102ALL - 0x100000000LL))
#define WES_E_VALUE_OUT_OF_RANGE ((wes_hresult_t)(0x8004102BLL - 0x100000000LL))
#define WES_E_CANNOT_BE_SINGLETON ((wes_hresult_t)(0x8004102CLL - 0x100000000LL))
#define WES_E_INVALID_CIM_TYPE ((wes_hresult_t)(0x8004102DLL - 0x100000000LL))
#define WES_E_INVALID_METHOD ((wes_hresult_t)(0x8004102ELL - 0x100000000LL))
#define WES_E_INVALID_METHOD_PARAMETERS ((wes_hresult_t)(0x8004102FLL - 0x100000000LL))
#define WES_E_SYSTEM_PROPERTY ((wes_hresult_t)(0x80041030LL - 0x100000000LL))
#define WES_E_INVALID_PROPERTY ((wes_hresult_t)(0x80041031LL - 0x100000000LL))
#define WES_E_CALL_CANCELLED ((wes_hresult_t)(0x80041032LL - 0x100000000LL))
#define WES_E_SHUTTING_DOWN ((wes_hresult_t)(0x80041033LL - 0x100000000LL))
#define WES_E_PROPAGATED_METHOD ((wes_hresult_t)(0x80041034LL - 0x100000000LL))
#define WES_E_UNSUPPORTED_PARAMETER ((wes_hresult_t)(0x80041035LL - 0x100000000LL))
#define WES_E_MISSING_PARAMETER_ID ((wes_hresult_t)(0x80041036LL - 0x100000000LL))
#define WES_E_INVALID_PARAMETER_ID ((wes_hresult_t)(0x80041037LL - 0x100000000LL))
#define WES_E_NONCONSECUTIVE_PARAMETER_IDS ((wes_hresult_t)(0x80041038LL - 0x100000000LL))
#define WES_E_PARAMETER_ID_ON_RETVAL ((wes_hresult_t)(0x80041039LL - 0x100000000LL))
#define WES_E_INVALID_OBJECT_PATH ((wes_hresult_t)(0x8004103ALL - 0x100000000LL))
#define WES_E_OUT_OF_DISK_SPACE ((wes_hresult_t)(0x8004103BLL - 0x100000000LL))
#define WES_E_BUFFER_TOO_SMALL ((wes_hresult_t)(0x8004103CLL - 0x100000000LL))
#define WES_E_UNSUPPORTED_PUT_EXTENSION ((wes_hresult_t)(0x8004103DLL - 0x100000000LL))
#define WES_E_UNKNOWN_OBJECT_TYPE ((wes_hresult_t)(0x8004103ELL - 0x100000000LL))
#define WES_E_UNKNOWN_PACKET_TYPE ((wes_hresult_t)(0x8004103FLL - 0x100000000LL))
#define WES_E_MARSHAL_VERSION_MISMATCH ((wes_hresult_t)(0x80041040LL - 0x100000000LL))
#define WES_E_MARSHAL_INVALID_SIGNATURE ((wes_hresult_t)(0x80041041LL - 0x100000000LL))
#define WES_E_INVALID_QUALIFIER ((wes_hresult_t)(0x80041042LL - 0x100000000LL))
#define WES_E_INVALID_DUPLICATE_PARAMETER ((wes_hresult_t)(0x80041043LL - 0x100000000LL))
#define WES_E_TOO_MUCH_DATA ((wes_hresult_t)(0x80041044LL - 0x100000000LL))
#define WES_E_SERVER_TOO_BUSY ((wes_hresult_t)(0x80041045LL - 0x100000000LL))
#define WES_E_INVALID_FLAVOR ((wes_hresult_t)(0x80041046LL - 0x100000000LL))
#define WES_E_CIRCULAR_REFERENCE ((wes_hresult_t)(0x80041047LL - 0x100000000LL))
#define WES_E_UNSUPPORTED_CLASS_UPDATE ((wes_hresult_t)(0x80041048LL - 0x100000000LL))
#define WES_E_CANNOT_CHANGE_KEY_INHERITANCE ((wes_hresult_t)(0x80041049LL - 0x100000000LL))
#define WES_E_CANNOT_CHANGE_INDEX_INHERITANCE ((wes_hresult_t)(0x80041050LL - 0x100000000LL))
#define WES_E_TOO_MANY_PROPERTIES ((wes_hresult_t)(0x80041051LL - 0x100000000LL))
#define WES_E_UPDATE_TYPE_MISMATCH ((wes_hresult_t)(0x80041052LL - 0x100000000LL))
#define WES_E_UPDATE_OVERRIDE_NOT_ALLOWED ((wes_hresult_t)(0x80041053LL - 0x100000000LL))
#define WES_E_UPDATE_PROPAGATED_METHOD ((wes_hresult_t)(0x80041054LL - 0x100000000LL))
#define WES_E_METHOD_NOT_IMPLEMENTED ((wes_hresult_t)(0x80041055LL - 0x100000000LL))
#define WES_E_METHOD_DISABLED ((wes_hresult_t)(0x80041056LL - 0x100000000LL))
#define WES_E_REFRESHER_BUSY ((wes_hresult_t)(0x80041057LL - 0x100000000LL))
#define WES_E_UNPARSABLE_QUERY ((wes_hresult_t)(0x80041058LL - 0x100000000LL))
#define WES_E_NOT_EVENT_CLASS ((wes_hresult_t)(0x80041059LL - 0x100000000LL))
#define WES_E_MISSING_GROUP_WITHIN ((wes_hresult_t)(0x8004105ALL - 0x100000000LL))
#define WES_E_MISSING_AGGREGATION_LIST ((wes_hresult_t)(0x8004105BLL - 0x100000000LL))
#define WES_E_PROPERTY_NOT_AN_OBJECT ((wes_hresult_t)(0x8004105CLL - 0x100000000LL))
#define WES_E_AGGREGATING_BY_OBJECT ((wes_hresult_t)(0x8004105DLL - 0x100000000LL))
#define WES_E_UNINTERPRETABLE_PROVIDER_QUERY ((wes_hresult_t)(0x8004105FLL - 0x100000000LL))
#define WES_E_BACKUP_RESTORE_WINMGMT_RUNNING ((wes_hresult_t)(0x80041060LL - 0x100000000LL))
#define WES_E_QUEUE_OVERFLOW ((wes_hresult_t)(0x80041061LL - 0x100000000LL))
#define WES_E_PRIVILEGE_NOT_HELD ((wes_hresult_t)(0x80041062LL - 0x100000000LL))
#define WES_E_INVALID_OPERATOR ((wes_hresult_t)(0x80041063LL - 0x100000000LL))
#define WES_E_LOCAL_CREDENTIALS ((wes_hresult_t)(0x80041064LL - 0x100000000LL))
#define WES_E_CANNOT_BE_ABSTRACT ((wes_hresult_t)(0x80041065LL - 0x100000000LL))
#define WES_E_AMENDED_OBJECT ((wes_hresult_t)(0x80041066LL - 0x100000000LL))
#define WES_E_CLIENT_TOO_SLOW ((wes_hresult_t)(0x80041067LL - 0x100000000LL))
#define WES_E_NULL_SECURITY_DESCRIPTOR ((wes_hresult_t)(0x80041068LL - 0x100000000LL))
#define WES_E_TIMED_OUT ((wes_hresult_t)(0x80041069LL - 0x100000000LL))
#define WES_E_INVALID_ASSOCIATION ((wes_hresult_t)(0x8004106ALL - 0x100000000LL))
#define WES_E_AMBIGUOUS_OPERATION ((wes_hresult_t)(0x8004106BLL - 0x100000000LL))
#define WES_E_QUOTA_VIOLATION ((wes_hresult_t)(0x8004106CLL - 0x100000000LL))
#define WES_E_RESERVED_001 ((wes_hresult_t)(0x8004106DLL - 0x100000000LL))
#define WES_E_RESERVED_002 ((wes_hresult_t)(0x8004106ELL - 0x100000000LL))
#define WES_E_UNSUPPORTED_LOCALE ((wes_hresult_t)(0x8004106FLL - 0x100000000LL))
#define WES_E_HANDLE_OUT_OF_DATE ((wes_hresult_t)(0x80041070LL - 0x100000000LL))
#define WES_E_CONNECTION_FAILED ((wes_hresult_t)(0x80041071LL - 0x100000000LL))
#define WES_E_INVALID_HANDLE_REQUEST ((wes_hresult_t)(0x80041072LL - 0x100000000LL))
#define WES_E_PROPERTY_NAME_TOO_WIDE ((wes_hresult_t)(0x80041073LL - 0x100000000LL))
#define WES_E_CLASS_NAME_TOO_WIDE ((wes_hresult_t)(0x80041074LL - 0x100000000LL))
#define WES_E_METHOD_NAME_TOO_WIDE ((wes_hresult_t)(0x80041075LL - 0x100000000LL))
#define WES_E_QUALIFIER_NAME_TOO_WIDE ((wes_hresult_t)(0x80041076LL - 0x100000000LL))
#define WES_E_RERUN_COMMAND ((wes_hresult_t)(0x80041077LL - 0x100000000LL))
#define WES_E_DATABASE_VER_MISMATCH ((wes_hresult_t)(0x80041078LL - 0x100000000LL))
#define WES_E_VETO_DELETE ((wes_hresult_t)(0x80041079LL - 0x100000000LL))
#define WES_E_VETO_PUT ((wes_hresult_t)(0x8004107ALL - 0x100000000LL))
#define WES_E_INVALID_LOCALE ((wes_hresult_t)(0x80041080LL - 0x100000000LL))
#define WES_E_PROVIDER_SUSPENDED ((wes_hresult_t)(0x80041081LL - 0x100000000LL))
#define WES_E_SYNCHRONIZATION_REQUIRED ((wes_hresult_t)(0x80041082LL - 0x100000000LL))
#define WES_E_NO_SCHEMA ((wes_hresult_t)(0x80041083LL - 0x100000000LL))
#define WES_E_PROVIDER_ALREADY_REGISTERED ((wes_hresult_t)(0x80041084LL - 0x100000000LL))
#define WES_E_PROVIDER_NOT_REGISTERED ((wes_hresult_t)(0x80041085LL - 0x100000000LL))
#define WES_E_FATAL_TRANSPORT_ERROR ((wes_hresult_t)(0x80041086LL - 0x100000000LL))
#define WES_E_ENCRYPTED_CONNECTION_REQUIRED ((wes_hresult_t)(0x80041087LL - 0x100000000LL))
#define WES_E_PROVIDER_TIMED_OUT ((wes_hresult_t)(0x80041088LL - 0x100000000LL))
#define WES_E_NO_KEY ((wes_hresult_t)(0x80041089LL - 0x100000000LL))
#define WES_E_PROVIDER_DISABLED ((wes_hresult_t)(0x8004108ALL - 0x100000000LL))
#define WES_ESS_E_REGISTRATION_TOO_BROAD ((wes_hresult_t)(0x80042001LL - 0x100000000LL))
#define WES_ESS_E_REGISTRATION_TOO_PRECISE ((wes_hresult_t)(0x80042002LL - 0x100000000LL))
#define WES_ESS_E_AUTHZ_NOT_PRIVILEGED ((wes_hresult_t)(0x80042003LL - 0x100000000LL))
#define WES_E_RETRY_LATER ((wes_hresult_t)(0x80043001LL - 0x100000000LL))
#define WES_E_RESOURCE_CONTENTION ((wes_hresult_t)(0x80043002LL - 0x100000000LL))
/* Aliases with the same value (first name wins in wes_err_name). */
#define WES_S_OK WES_S_NO_ERROR
#define WES_S_SAME WES_S_NO_ERROR
#define WES_S_INITIALIZED WES_S_NO_ERROR

#define WES_HRESULT_MAP(XX) \
  XX(S_NO_ERROR, "WBEM_S_NO_ERROR", "success") \
  XX(S_FALSE, "WBEM_S_FALSE", "false, or end of enumeration") \
  XX(S_ALREADY_EXISTS, "WBEM_S_ALREADY_EXISTS", "object already exists") \
  XX(S_RESET_TO_DEFAULT, "WBEM_S_RESET_TO_DEFAULT", "property reset to its default") \
  XX(S_DIFFERENT, "WBEM_S_DIFFERENT", "compared items differ") \
  XX(S_TIMEDOUT, "WBEM_S_TIMEDOUT", "call timed out") \
  XX(S_NO_MORE_DATA, "WBEM_S_NO_MORE_DATA", "no more data") \
  XX(S_OPERATION_CANCELLED, "WBEM_S_OPERATION_CANCELLED", "operation cancelled") \
  XX(S_PENDING, "WBEM_S_PENDING", "operation pending") \
  XX(S_DUPLICATE_OBJECTS, "WBEM_S_DUPLICATE_OBJECTS", "duplicate objects in result") \
  XX(S_ACCESS_DENIED, "WBEM_S_ACCESS_DENIED", "access denied to some resources") \
  XX(S_PARTIAL_RESULTS, "WBEM_S_PARTIAL_RESULTS", "partial results") \
  XX(S_SOURCE_NOT_AVAILABLE, "WBEM_S_SOURCE_NOT_AVAILABLE", "source not available") \
  XX(S_LIMITED_SERVICE, "WBEM_S_LIMITED_SERVICE", "provider capable of limited service") \
  XX(S_INDIRECTLY_UPDATED, "WBEM_S_INDIRECTLY_UPDATED", "indirectly updated (reserved)") \
  XX(S_SUBJECT_TO_SDS, "WBEM_S_SUBJECT_TO_SDS", "access subject to each event's security descriptor") \
  XX(E_FAILED, "WBEM_E_FAILED", "unspecified failure") \
  XX(E_NOT_FOUND, "WBEM_E_NOT_FOUND", "object not found") \
  XX(E_ACCESS_DENIED, "WBEM_E_ACCESS_DENIED", "access denied") \
  XX(E_PROVIDER_FAILURE, "WBEM_E_PROVIDER_FAILURE", "provider failed after initialization") \
  XX(E_TYPE_MISMATCH, "WBEM_E_TYPE_MISMATCH", "type mismatch") \
  XX(E_OUT_OF_MEMORY, "WBEM_E_OUT_OF_MEMORY", "not enough memory") \
  XX(E_INVALID_CONTEXT, "WBEM_E_INVALID_CONTEXT", "context object not valid") \
  XX(E_INVALID_PARAMETER, "WBEM_E_INVALID_PARAMETER", "a parameter is not valid") \
  XX(E_NOT_AVAILABLE, "WBEM_E_NOT_AVAILABLE", "resource not available") \
  XX(E_CRITICAL_ERROR, "WBEM_E_CRITICAL_ERROR", "internal critical error") \
  XX(E_INVALID_STREAM, "WBEM_E_INVALID_STREAM", "stream not valid") \
  XX(E_NOT_SUPPORTED, "WBEM_E_NOT_SUPPORTED", "feature or operation not supported") \
  XX(E_INVALID_SUPERCLASS, "WBEM_E_INVALID_SUPERCLASS", "superclass not valid") \
  XX(E_INVALID_NAMESPACE, "WBEM_E_INVALID_NAMESPACE", "namespace not found") \
  XX(E_INVALID_OBJECT, "WBEM_E_INVALID_OBJECT", "object not valid") \
  XX(E_INVALID_CLASS, "WBEM_E_INVALID_CLASS", "class not valid or not found") \
  XX(E_PROVIDER_NOT_FOUND, "WBEM_E_PROVIDER_NOT_FOUND", "provider not registered") \
  XX(E_INVALID_PROVIDER_REGISTRATION, "WBEM_E_INVALID_PROVIDER_REGISTRATION", "provider registration not valid") \
  XX(E_PROVIDER_LOAD_FAILURE, "WBEM_E_PROVIDER_LOAD_FAILURE", "provider could not be loaded") \
  XX(E_INITIALIZATION_FAILURE, "WBEM_E_INITIALIZATION_FAILURE", "component failed to initialize") \
  XX(E_TRANSPORT_FAILURE, "WBEM_E_TRANSPORT_FAILURE", "transport failure") \
  XX(E_INVALID_OPERATION, "WBEM_E_INVALID_OPERATION", "operation not valid") \
  XX(E_INVALID_QUERY, "WBEM_E_INVALID_QUERY", "query not valid") \
  XX(E_INVALID_QUERY_TYPE, "WBEM_E_INVALID_QUERY_TYPE", "query language not supported") \
  XX(E_ALREADY_EXISTS, "WBEM_E_ALREADY_EXISTS", "object already exists") \
  XX(E_OVERRIDE_NOT_ALLOWED, "WBEM_E_OVERRIDE_NOT_ALLOWED", "override not allowed") \
  XX(E_PROPAGATED_QUALIFIER, "WBEM_E_PROPAGATED_QUALIFIER", "qualifier was propagated and cannot be changed here") \
  XX(E_PROPAGATED_PROPERTY, "WBEM_E_PROPAGATED_PROPERTY", "property was propagated and cannot be changed here") \
  XX(E_UNEXPECTED, "WBEM_E_UNEXPECTED", "illegal call sequence") \
  XX(E_ILLEGAL_OPERATION, "WBEM_E_ILLEGAL_OPERATION", "illegal operation") \
  XX(E_CANNOT_BE_KEY, "WBEM_E_CANNOT_BE_KEY", "property cannot be a key") \
  XX(E_INCOMPLETE_CLASS, "WBEM_E_INCOMPLETE_CLASS", "class is incomplete") \
  XX(E_INVALID_SYNTAX, "WBEM_E_INVALID_SYNTAX", "syntax not valid") \
  XX(E_NONDECORATED_OBJECT, "WBEM_E_NONDECORATED_OBJECT", "object lacks path information") \
  XX(E_READ_ONLY, "WBEM_E_READ_ONLY", "property or object is read-only") \
  XX(E_PROVIDER_NOT_CAPABLE, "WBEM_E_PROVIDER_NOT_CAPABLE", "provider cannot perform the operation") \
  XX(E_CLASS_HAS_CHILDREN, "WBEM_E_CLASS_HAS_CHILDREN", "class has subclasses") \
  XX(E_CLASS_HAS_INSTANCES, "WBEM_E_CLASS_HAS_INSTANCES", "class has instances") \
  XX(E_QUERY_NOT_IMPLEMENTED, "WBEM_E_QUERY_NOT_IMPLEMENTED", "query not implemented") \
  XX(E_ILLEGAL_NULL, "WBEM_E_ILLEGAL_NULL", "a value is required but NULL was given") \
  XX(E_INVALID_QUALIFIER_TYPE, "WBEM_E_INVALID_QUALIFIER_TYPE", "qualifier type not valid") \
  XX(E_INVALID_PROPERTY_TYPE, "WBEM_E_INVALID_PROPERTY_TYPE", "property type not valid") \
  XX(E_VALUE_OUT_OF_RANGE, "WBEM_E_VALUE_OUT_OF_RANGE", "value out of range") \
  XX(E_CANNOT_BE_SINGLETON, "WBEM_E_CANNOT_BE_SINGLETON", "class cannot be a singleton") \
  XX(E_INVALID_CIM_TYPE, "WBEM_E_INVALID_CIM_TYPE", "CIM type not valid") \
  XX(E_INVALID_METHOD, "WBEM_E_INVALID_METHOD", "method not valid") \
  XX(E_INVALID_METHOD_PARAMETERS, "WBEM_E_INVALID_METHOD_PARAMETERS", "method parameters not valid") \
  XX(E_SYSTEM_PROPERTY, "WBEM_E_SYSTEM_PROPERTY", "system property cannot be changed") \
  XX(E_INVALID_PROPERTY, "WBEM_E_INVALID_PROPERTY", "property not recognized") \
  XX(E_CALL_CANCELLED, "WBEM_E_CALL_CANCELLED", "call cancelled") \
  XX(E_SHUTTING_DOWN, "WBEM_E_SHUTTING_DOWN", "shutting down") \
  XX(E_PROPAGATED_METHOD, "WBEM_E_PROPAGATED_METHOD", "method was propagated and cannot be changed here") \
  XX(E_UNSUPPORTED_PARAMETER, "WBEM_E_UNSUPPORTED_PARAMETER", "parameter not supported") \
  XX(E_MISSING_PARAMETER_ID, "WBEM_E_MISSING_PARAMETER_ID", "method parameter lacks an ID") \
  XX(E_INVALID_PARAMETER_ID, "WBEM_E_INVALID_PARAMETER_ID", "method parameter ID not valid") \
  XX(E_NONCONSECUTIVE_PARAMETER_IDS, "WBEM_E_NONCONSECUTIVE_PARAMETER_IDS", "method parameter IDs not consecutive") \
  XX(E_PARAMETER_ID_ON_RETVAL, "WBEM_E_PARAMETER_ID_ON_RETVAL", "return value carries a parameter ID") \
  XX(E_INVALID_OBJECT_PATH, "WBEM_E_INVALID_OBJECT_PATH", "object path not valid") \
  XX(E_OUT_OF_DISK_SPACE, "WBEM_E_OUT_OF_DISK_SPACE", "out of disk space") \
  XX(E_BUFFER_TOO_SMALL, "WBEM_E_BUFFER_TOO_SMALL", "buffer too small") \
  XX(E_UNSUPPORTED_PUT_EXTENSION, "WBEM_E_UNSUPPORTED_PUT_EXTENSION", "put extension not supported") \
  XX(E_UNKNOWN_OBJECT_TYPE, "WBEM_E_UNKNOWN_OBJECT_TYPE", "unknown object type") \
  XX(E_UNKNOWN_PACKET_TYPE, "WBEM_E_UNKNOWN_PACKET_TYPE", "unknown packet type") \
  XX(E_MARSHAL_VERSION_MISMATCH, "WBEM_E_MARSHAL_VERSION_MISMATCH", "marshaling version mismatch") \
  XX(E_MARSHAL_INVALID_SIGNATURE, "WBEM_E_MARSHAL_INVALID_SIGNATURE", "marshaling signature not valid") \
  XX(E_INVALID_QUALIFIER, "WBEM_E_INVALID_QUALIFIER", "qualifier not valid") \
  XX(E_INVALID_DUPLICATE_PARAMETER, "WBEM_E_INVALID_DUPLICATE_PARAMETER", "duplicate parameter") \
  XX(E_TOO_MUCH_DATA, "WBEM_E_TOO_MUCH_DATA", "too much data") \
  XX(E_SERVER_TOO_BUSY, "WBEM_E_SERVER_TOO_BUSY", "server too busy") \
  XX(E_INVALID_FLAVOR, "WBEM_E_INVALID_FLAVOR", "qualifier flavor not valid") \
  XX(E_CIRCULAR_REFERENCE, "WBEM_E_CIRCULAR_REFERENCE", "circular reference") \
  XX(E_UNSUPPORTED_CLASS_UPDATE, "WBEM_E_UNSUPPORTED_CLASS_UPDATE", "class update not supported") \
  XX(E_CANNOT_CHANGE_KEY_INHERITANCE, "WBEM_E_CANNOT_CHANGE_KEY_INHERITANCE", "key inheritance cannot change") \
  XX(E_CANNOT_CHANGE_INDEX_INHERITANCE, "WBEM_E_CANNOT_CHANGE_INDEX_INHERITANCE", "index inheritance cannot change") \
  XX(E_TOO_MANY_PROPERTIES, "WBEM_E_TOO_MANY_PROPERTIES", "too many properties") \
  XX(E_UPDATE_TYPE_MISMATCH, "WBEM_E_UPDATE_TYPE_MISMATCH", "update type mismatch") \
  XX(E_UPDATE_OVERRIDE_NOT_ALLOWED, "WBEM_E_UPDATE_OVERRIDE_NOT_ALLOWED", "update override not allowed") \
  XX(E_UPDATE_PROPAGATED_METHOD, "WBEM_E_UPDATE_PROPAGATED_METHOD", "update of a propagated method") \
  XX(E_METHOD_NOT_IMPLEMENTED, "WBEM_E_METHOD_NOT_IMPLEMENTED", "method not implemented") \
  XX(E_METHOD_DISABLED, "WBEM_E_METHOD_DISABLED", "method disabled") \
  XX(E_REFRESHER_BUSY, "WBEM_E_REFRESHER_BUSY", "refresher busy") \
  XX(E_UNPARSABLE_QUERY, "WBEM_E_UNPARSABLE_QUERY", "filtering query cannot be parsed") \
  XX(E_NOT_EVENT_CLASS, "WBEM_E_NOT_EVENT_CLASS", "class is not an event class") \
  XX(E_MISSING_GROUP_WITHIN, "WBEM_E_MISSING_GROUP_WITHIN", "GROUP BY used without GROUP WITHIN") \
  XX(E_MISSING_AGGREGATION_LIST, "WBEM_E_MISSING_AGGREGATION_LIST", "GROUP BY needs a property list") \
  XX(E_PROPERTY_NOT_AN_OBJECT, "WBEM_E_PROPERTY_NOT_AN_OBJECT", "dot notation on a property that is not an embedded object") \
  XX(E_AGGREGATING_BY_OBJECT, "WBEM_E_AGGREGATING_BY_OBJECT", "GROUP BY on an embedded object without a dotted property") \
  XX(E_UNINTERPRETABLE_PROVIDER_QUERY, "WBEM_E_UNINTERPRETABLE_PROVIDER_QUERY", "provider registration query does not name the classes it covers") \
  XX(E_BACKUP_RESTORE_WINMGMT_RUNNING, "WBEM_E_BACKUP_RESTORE_WINMGMT_RUNNING", "backup or restore while the service runs") \
  XX(E_QUEUE_OVERFLOW, "WBEM_E_QUEUE_OVERFLOW", "delivery queue overflowed") \
  XX(E_PRIVILEGE_NOT_HELD, "WBEM_E_PRIVILEGE_NOT_HELD", "privilege not held") \
  XX(E_INVALID_OPERATOR, "WBEM_E_INVALID_OPERATOR", "operator not valid for this property type") \
  XX(E_LOCAL_CREDENTIALS, "WBEM_E_LOCAL_CREDENTIALS", "credentials given on a local connection") \
  XX(E_CANNOT_BE_ABSTRACT, "WBEM_E_CANNOT_BE_ABSTRACT", "class cannot be abstract") \
  XX(E_AMENDED_OBJECT, "WBEM_E_AMENDED_OBJECT", "object holds amended qualifiers") \
  XX(E_CLIENT_TOO_SLOW, "WBEM_E_CLIENT_TOO_SLOW", "client too slow") \
  XX(E_NULL_SECURITY_DESCRIPTOR, "WBEM_E_NULL_SECURITY_DESCRIPTOR", "NULL security descriptor") \
  XX(E_TIMED_OUT, "WBEM_E_TIMED_OUT", "operation timed out") \
  XX(E_INVALID_ASSOCIATION, "WBEM_E_INVALID_ASSOCIATION", "association not valid") \
  XX(E_AMBIGUOUS_OPERATION, "WBEM_E_AMBIGUOUS_OPERATION", "ambiguous operation") \
  XX(E_QUOTA_VIOLATION, "WBEM_E_QUOTA_VIOLATION", "quota exceeded") \
  XX(E_RESERVED_001, "WBEM_E_RESERVED_001", "reserved (transaction conflict)") \
  XX(E_RESERVED_002, "WBEM_E_RESERVED_002", "reserved (forced rollback)") \
  XX(E_UNSUPPORTED_LOCALE, "WBEM_E_UNSUPPORTED_LOCALE", "locale not supported") \
  XX(E_HANDLE_OUT_OF_DATE, "WBEM_E_HANDLE_OUT_OF_DATE", "handle out of date") \
  XX(E_CONNECTION_FAILED, "WBEM_E_CONNECTION_FAILED", "connection failed") \
  XX(E_INVALID_HANDLE_REQUEST, "WBEM_E_INVALID_HANDLE_REQUEST", "handle request not valid") \
  XX(E_PROPERTY_NAME_TOO_WIDE, "WBEM_E_PROPERTY_NAME_TOO_WIDE", "property name longer than 255 characters") \
  XX(E_CLASS_NAME_TOO_WIDE, "WBEM_E_CLASS_NAME_TOO_WIDE", "class name longer than 255 characters") \
  XX(E_METHOD_NAME_TOO_WIDE, "WBEM_E_METHOD_NAME_TOO_WIDE", "method name longer than 255 characters") \
  XX(E_QUALIFIER_NAME_TOO_WIDE, "WBEM_E_QUALIFIER_NAME_TOO_WIDE", "qualifier name longer than 255 characters") \
  XX(E_RERUN_COMMAND, "WBEM_E_RERUN_COMMAND", "rerun the command") \
  XX(E_DATABASE_VER_MISMATCH, "WBEM_E_DATABASE_VER_MISMATCH", "repository version mismatch") \
  XX(E_VETO_DELETE, "WBEM_E_VETO_DELETE", "delete vetoed") \
  XX(E_VETO_PUT, "WBEM_E_VETO_PUT", "put vetoed") \
  XX(E_INVALID_LOCALE, "WBEM_E_INVALID_LOCALE", "locale not valid") \
  XX(E_PROVIDER_SUSPENDED, "WBEM_E_PROVIDER_SUSPENDED", "provider suspended") \
  XX(E_SYNCHRONIZATION_REQUIRED, "WBEM_E_SYNCHRONIZATION_REQUIRED", "synchronization required") \
  XX(E_NO_SCHEMA, "WBEM_E_NO_SCHEMA", "no schema") \
  XX(E_PROVIDER_ALREADY_REGISTERED, "WBEM_E_PROVIDER_ALREADY_REGISTERED", "provider already registered") \
  XX(E_PROVIDER_NOT_REGISTERED, "WBEM_E_PROVIDER_NOT_REGISTERED", "provider not registered") \
  XX(E_FATAL_TRANSPORT_ERROR, "WBEM_E_FATAL_TRANSPORT_ERROR", "fatal transport error") \
  XX(E_ENCRYPTED_CONNECTION_REQUIRED, "WBEM_E_ENCRYPTED_CONNECTION_REQUIRED", "encrypted connection required") \
  XX(E_PROVIDER_TIMED_OUT, "WBEM_E_PROVIDER_TIMED_OUT", "provider timed out") \
  XX(E_NO_KEY, "WBEM_E_NO_KEY", "no key") \
  XX(E_PROVIDER_DISABLED, "WBEM_E_PROVIDER_DISABLED", "provider disabled") \
  XX(ESS_E_REGISTRATION_TOO_BROAD, "WBEMESS_E_REGISTRATION_TOO_BROAD", "provider registration overlaps the system event domain") \
  XX(ESS_E_REGISTRATION_TOO_PRECISE, "WBEMESS_E_REGISTRATION_TOO_PRECISE", "query needs a WITHIN clause") \
  XX(ESS_E_AUTHZ_NOT_PRIVILEGED, "WBEMESS_E_AUTHZ_NOT_PRIVILEGED", "not privileged for subscription security") \
  XX(E_RETRY_LATER, "WBEM_E_RETRY_LATER", "retry later (reserved)") \
  XX(E_RESOURCE_CONTENTION, "WBEM_E_RESOURCE_CONTENTION", "resource contention (reserved)")

/*
 * Returns WMI's name of a code ("WBEM_E_INVALID_QUERY"). Unknown codes give
 * the fixed string "WBEM_E_UNKNOWN" (never NULL, never allocates).
 * Ownership: static storage. Thread: any.
 */
WES_API const char *wes_err_name(wes_hresult_t hr);

/*
 * Returns a short English description of a code. Unknown codes give the
 * fixed string "unknown status code". Ownership: static storage.
 * Thread: any.
 */
WES_API const char *wes_strerror(wes_hresult_t hr);

#define WES_ERROR_TEXT_LENGTH 160

/*
 * Failure detail. Functions that take `wes_error_t *reterr` (always the last
 * parameter, may be NULL) fill it only when they fail. line/column are
 * 1-based positions in the input text when there is one, else 0.
 * sys_error is the errno/libuv code behind the failure, else 0.
 */
typedef struct wes_error_s {
  wes_hresult_t code;
  int32_t sys_error;
  uint32_t line;
  uint32_t column;
  char text[WES_ERROR_TEXT_LENGTH];
} wes_error_t;

/*
 * Clears an error struct (code WES_S_OK, empty text). NULL-safe.
 * Thread: any.
 */
WES_API void wes_error_clear(wes_error_t *err);

/*
 * Fills `err` (when not NULL) with `code` and a printf-style message, and
 * returns `code`, so that code outside the library (a provider's
 * new_query or access_check, see provider.h) can write
 *   return wes_error_set(reterr, WES_E_PROVIDER_NOT_CAPABLE,
 *                        "add TargetInstance.Path = '%s'", dir);
 * sys_error, line and column are set to 0: assign them afterwards when
 * the message has a position (1-based) or an errno behind it. A NULL
 * `fmt` gives the text of wes_strerror(code). The text is cut to
 * WES_ERROR_TEXT_LENGTH - 1 bytes and always NUL-terminated.
 * Returns `code` (it cannot fail).
 * Thread: any (the caller owns `err`).
 */
WES_API wes_hresult_t wes_error_set(wes_error_t *err, wes_hresult_t code,
                                    const char *fmt, ...) WES_PRINTF(3, 4);

typedef void *(*wes_malloc_fn)(size_t size);
typedef void *(*wes_realloc_fn)(void *ptr, size_t size);
typedef void *(*wes_calloc_fn)(size_t count, size_t size);
typedef void (*wes_free_fn)(void *ptr);

/*
 * Replaces the allocator used for everything wes allocates (uthash tables
 * included). Call it before any other wes function, at most once; all four
 * functions are required.
 * Returns WES_S_OK, WES_E_INVALID_PARAMETER (a NULL function), or
 * WES_E_INVALID_OPERATION (wes has already allocated memory with the
 * previous allocator).
 * Thread: call before any other thread uses wes.
 */
WES_API wes_hresult_t wes_replace_allocator(wes_malloc_fn malloc_fn,
                                            wes_realloc_fn realloc_fn,
                                            wes_calloc_fn calloc_fn,
                                            wes_free_fn free_fn);

/*
 * Frees memory that a wes function returned to the caller (rendered text,
 * arrays of strings): whatever a function documents as "free with wes_free".
 * NULL-safe. Thread: any.
 */
WES_API void wes_free(void *ptr);

/* Log levels for the log hook. */
#define WES_LOG_ERROR 0
#define WES_LOG_WARNING 1
#define WES_LOG_INFO 2
#define WES_LOG_DEBUG 3

/*
 * A log hook. The library never prints; when a hook is set it receives
 * messages about things callers may want to know (slow consumers, dropped
 * events, provider failures). `message` is borrowed for the call.
 * Called on: whichever thread noticed the condition; the hook must be
 * thread-safe and must not call back into wes (except wes_err_name and
 * wes_strerror).
 */
typedef void (*wes_log_cb)(void *data, int level, const char *module,
                           const char *message);

/*
 * Installs (or, with cb NULL, removes) the process-wide log hook. Messages
 * above max_level are not formatted at all.
 * Thread: any (the switch is atomic; a message already being delivered
 * may still reach the previous hook).
 */
WES_API void wes_set_log_hook(wes_log_cb cb, void *data, int max_level);

/* Returns WES_VERSION_STRING of the library actually linked. Thread: any. */
WES_API const char *wes_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* WES_COMMON_H */
